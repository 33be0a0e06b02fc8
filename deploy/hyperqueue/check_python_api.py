"""Check promosim's shards on a real HyperQueue without the `hq` binary.

The PyPI package `hyperqueue` embeds HyperQueue's server and worker (LocalCluster). Four
tasks run `promosim run ... --shard auto/4`, each taking its index from HQ_TASK_ID through
the same `bash -c` wrapper as deploy/hyperqueue/run.sh; a fifth task, depending on them,
merges; the merged folder must be identical to one run. Not part of CI.

    python3 -m venv /tmp/hqv && /tmp/hqv/bin/pip install hyperqueue
    /tmp/hqv/bin/python deploy/hyperqueue/check_python_api.py . target/release/promosim
"""
import os
import shutil
import subprocess
import sys
import tempfile

from hyperqueue import Job, LocalCluster
from hyperqueue.cluster import WorkerConfig

repo, binary = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
tmp = tempfile.mkdtemp(prefix="promosim-hq-")
opts = ["--trials", "40", "--quiet"]
subprocess.run([binary, "run", "scenarios/compare_red_packets.toml", *opts, "--out", f"{tmp}/single"],
               cwd=repo, check=True, stdout=subprocess.DEVNULL)
with LocalCluster(server_dir=f"{tmp}/server", worker_config=WorkerConfig(cores=2)) as cluster:
    client = cluster.client()
    job = Job(default_workdir=repo)
    shards = [
        job.program(["bash", "-c",
                     f'exec "$0" "$@" --threads 1 --shard auto/4 --out "{tmp}/work/shard-$HQ_TASK_ID"',
                     binary, "run", "scenarios/compare_red_packets.toml", *opts],
                    stdout=f"{tmp}/shard-{i}.out", stderr=f"{tmp}/shard-{i}.err")
        for i in range(4)
    ]
    job.program(["bash", "-c", f'exec "$0" merge "{tmp}"/work/shard-* --out "{tmp}/merged" --quiet', binary],
                deps=shards, stdout=f"{tmp}/merge.out", stderr=f"{tmp}/merge.err")
    submitted = client.submit(job)
    client.wait_for_jobs([submitted])
print("shards:", sorted(os.listdir(f"{tmp}/work")))
for i in range(4):
    print(f"shard-{i}.err:", open(f"{tmp}/shard-{i}.err").read().strip()[:200])
r = subprocess.run(["diff", "-r", f"{tmp}/single", f"{tmp}/merged"])
print("diff -r single merged:", "identical" if r.returncode == 0 else "DIFFERENT", f"({len(os.listdir(tmp + '/single'))} files)")
if r.returncode == 0:
    shutil.rmtree(tmp)
sys.exit(r.returncode)
