//! `report.html` in a real headless browser (Debian's `chromium`): the page loads with no
//! console or resource errors, every image renders at a non-zero size, and a screenshot is
//! taken. Skipped, with a message saying why and how to enable it, when no chromium is
//! installed; `.ci/run` installs it so that CI always runs it.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// The browser: `$PROMOSIM_CHROMIUM`, else `chromium` / `chromium-browser` /
/// `google-chrome` on PATH.
fn browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PROMOSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs the browser headless on `url` with `args`, killing it after two minutes.
fn headless(browser: &Path, args: &[String], url: &str) -> Output {
    let mut cmd = std::process::Command::new(browser);
    cmd.args([
        "--headless",
        "--disable-gpu",
        "--no-sandbox",
        "--no-first-run",
        "--disable-extensions",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .args(args)
    .arg(url)
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().expect("start the browser");
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(out) => out.expect("browser output"),
        Err(_) => {
            // Only the browser process this test started.
            let _ = std::process::Command::new("kill")
                .args(["-9", &id.to_string()])
                .status();
            panic!("the browser did not finish within 120 s");
        }
    }
}

/// Records errors from the moment the page starts parsing.
const PROBE_HEAD: &str = r#"<script>
window.__probeErrors = [];
window.addEventListener('error', function (e) {
  var t = e.target;
  var what = (t && t !== window && (t.src || t.href)) ? ('resource failed: ' + (t.src || t.href).slice(0, 80)) : ('error: ' + e.message);
  window.__probeErrors.push(what);
}, true);
window.addEventListener('unhandledrejection', function (e) { window.__probeErrors.push('rejection: ' + e.reason); });
(function () {
  var ce = console.error, cw = console.warn;
  console.error = function () { window.__probeErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); ce.apply(console, arguments); };
  console.warn = function () { window.__probeErrors.push('console.warn: ' + Array.prototype.join.call(arguments, ' ')); cw.apply(console, arguments); };
})();
</script>"#;

/// Once loaded, writes what it found into the page as JSON.
const PROBE_TAIL: &str = r#"<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var sizes = imgs.map(function (i) {
    var r = i.getBoundingClientRect();
    return { alt: i.alt, complete: i.complete, natural: [i.naturalWidth, i.naturalHeight], shown: [r.width, r.height] };
  });
  var out = document.createElement('pre');
  out.id = 'probe-result';
  out.textContent = JSON.stringify({ images: sizes, errors: window.__probeErrors, title: document.title });
  document.body.appendChild(out);
});
</script>"#;

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[test]
fn the_report_loads_in_a_headless_browser_with_no_errors_and_every_image_renders() {
    let Some(browser) = browser() else {
        eprintln!(
            "SKIPPED report_browser: no chromium found (looked for $PROMOSIM_CHROMIUM, then chromium, chromium-browser, google-chrome on PATH). Install Debian's `chromium` package (`apt-get install chromium`) to run this test; `.ci/run` does."
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    Command::cargo_bin("promosim")
        .unwrap()
        .args([
            "run",
            &format!(
                "{}/scenarios/compare_red_packets.toml",
                env!("CARGO_MANIFEST_DIR")
            ),
            "--trials",
            "20",
            "--report",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let report = out.join("report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    let expected_images = html.matches("<img ").count();
    assert!(
        expected_images >= 4,
        "{expected_images} images in the report"
    );

    // A copy with the probe: the report itself has no script.
    let probe = dir.path().join("probe.html");
    let with_probe = html
        .replacen("<head>", &format!("<head>\n{PROBE_HEAD}"), 1)
        .replacen("</body>", &format!("{PROBE_TAIL}\n</body>"), 1);
    std::fs::write(&probe, with_probe).unwrap();
    let o = headless(
        &browser,
        &[
            "--virtual-time-budget=15000".into(),
            "--window-size=1280,2000".into(),
            "--dump-dom".into(),
        ],
        &format!("file://{}", probe.display()),
    );
    let dom = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "browser failed: {stderr}");
    let start = dom
        .find("<pre id=\"probe-result\">")
        .unwrap_or_else(|| panic!("the probe did not run; browser stderr:\n{stderr}"));
    let rest = &dom[start + "<pre id=\"probe-result\">".len()..];
    let json = unescape(&rest[..rest.find("</pre>").expect("end of probe")]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("probe JSON");

    let errors = v["errors"].as_array().unwrap();
    assert!(errors.is_empty(), "errors in the page: {errors:?}");
    // The report prints nothing to the console; any console line is a problem.
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console output: {console:#?}");

    let images = v["images"].as_array().unwrap();
    assert_eq!(images.len(), expected_images);
    for img in images {
        let n = &img["natural"];
        let s = &img["shown"];
        assert!(
            img["complete"] == true
                && n[0].as_f64().unwrap() > 0.0
                && n[1].as_f64().unwrap() > 0.0
                && s[0].as_f64().unwrap() > 0.0
                && s[1].as_f64().unwrap() > 0.0,
            "image not rendered: {img}"
        );
    }
    assert!(v["title"].as_str().unwrap().contains("compare_red_packets"));

    // A screenshot of the report itself, kept with the build for a look.
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report_browser");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("report.png");
    let _ = std::fs::remove_file(&shot);
    let o = headless(
        &browser,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2400".into(),
            "--virtual-time-budget=15000".into(),
        ],
        &format!("file://{}", report.display()),
    );
    assert!(
        o.status.success(),
        "screenshot failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.len() > 50_000, "screenshot suspiciously small");
    eprintln!("report screenshot: {}", shot.display());
}
