//! Per-trial values stored column by column in a file, so that a consumer reads one column
//! (one value per trial) at a time instead of holding every trial's values.
//!
//! A [`ColumnFile`] holds `columns` columns of `rows` cells each, column after column:
//! cell `(row, column)` is at byte `(column · rows + row) · T::BYTES`, little-endian, so a
//! column is one contiguous read and a block of rows is one read per column. It is written
//! a block of rows at a time ([`ColumnFile::write_block`]), in any order, and read a column
//! ([`ColumnFile::read_column`]) or a block of rows ([`ColumnFile::read_rows`]) at a time.
//! `f64` cells keep their bits (NaN and −0 included), so values round-trip exactly.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Bytes read or written at once while a column streams through.
const BUFFER_BYTES: usize = 1 << 16;

/// A value a [`ColumnFile`] stores in a fixed number of bytes.
pub trait Cell: Copy + Default {
    /// Bytes per value.
    const BYTES: usize;
    /// Appends the value's little-endian bytes.
    fn put(self, out: &mut Vec<u8>);
    /// The value of `BYTES` little-endian bytes.
    fn get(bytes: &[u8]) -> Self;
}

impl Cell for f64 {
    const BYTES: usize = 8;

    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bits().to_le_bytes());
    }

    fn get(bytes: &[u8]) -> Self {
        let mut a = [0u8; 8];
        a.copy_from_slice(&bytes[..8]);
        f64::from_bits(u64::from_le_bytes(a))
    }
}

impl Cell for u32 {
    const BYTES: usize = 4;

    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }

    fn get(bytes: &[u8]) -> Self {
        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }
}

/// A file of `columns` columns of `rows` values of type `T` (see the module
/// documentation). The file stays open for as long as the value lives, so it can be read
/// after its folder is removed where the system allows it (Unix).
#[derive(Debug)]
pub struct ColumnFile<T> {
    path: PathBuf,
    file: Mutex<File>,
    rows: usize,
    columns: usize,
    cell: PhantomData<T>,
}

/// A read or write of a [`ColumnFile`] that failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot read or write the per-trial values in {path}: {source}")]
pub struct ColumnError {
    /// The file.
    pub path: PathBuf,
    /// The cause.
    pub source: std::io::Error,
}

impl<T: Cell> ColumnFile<T> {
    /// Creates (or truncates) the file `path` for `columns` columns of `rows` values, every
    /// value zero until written.
    pub fn create(path: &Path, rows: usize, columns: usize) -> Result<Self, ColumnError> {
        let err = |source| ColumnError {
            path: path.to_path_buf(),
            source,
        };
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(err)?;
        file.set_len((rows * columns * T::BYTES) as u64)
            .map_err(err)?;
        Ok(ColumnFile {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            rows,
            columns,
            cell: PhantomData,
        })
    }

    /// Rows (values per column).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, source: std::io::Error) -> ColumnError {
        ColumnError {
            path: self.path.clone(),
            source,
        }
    }

    fn file(&self) -> std::sync::MutexGuard<'_, File> {
        // A panic while the lock was held leaves the file as usable as before.
        self.file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn offset(&self, row: usize, column: usize) -> u64 {
        ((column * self.rows + row) * T::BYTES) as u64
    }

    /// Writes the rows `start..start + n`: `block[k]` holds column `k`'s `n` values
    /// (`block` has one entry per column).
    pub fn write_block(&self, start: usize, block: &[Vec<T>]) -> Result<(), ColumnError> {
        let mut file = self.file();
        let mut bytes = Vec::new();
        for (k, values) in block.iter().enumerate().take(self.columns) {
            let n = values.len().min(self.rows.saturating_sub(start));
            bytes.clear();
            values[..n].iter().for_each(|v| v.put(&mut bytes));
            file.seek(SeekFrom::Start(self.offset(start, k)))
                .and_then(|_| file.write_all(&bytes))
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Reads `n` values of column `k` from row `start` and appends them to `out`.
    fn read_into(
        &self,
        file: &mut File,
        k: usize,
        start: usize,
        n: usize,
        out: &mut Vec<T>,
    ) -> Result<(), ColumnError> {
        file.seek(SeekFrom::Start(self.offset(start, k)))
            .map_err(|e| self.err(e))?;
        let mut buf = vec![0u8; (n * T::BYTES).min(BUFFER_BYTES)];
        let mut left = n;
        while left > 0 {
            let take = left.min(buf.len() / T::BYTES);
            let b = &mut buf[..take * T::BYTES];
            file.read_exact(b).map_err(|e| self.err(e))?;
            out.extend(b.chunks_exact(T::BYTES).map(T::get));
            left -= take;
        }
        Ok(())
    }

    /// Column `k`'s values, row by row; empty when `k` is not a column.
    pub fn read_column(&self, k: usize) -> Result<Vec<T>, ColumnError> {
        let mut out = Vec::with_capacity(self.rows);
        if k < self.columns {
            self.read_into(&mut self.file(), k, 0, self.rows, &mut out)?;
        }
        Ok(out)
    }

    /// The rows `start..start + n` (cut at the last row) of the first `width` columns, row
    /// after row: row `start + i`, column `k` at `[i · width + k]`.
    pub fn read_rows(&self, start: usize, n: usize, width: usize) -> Result<Vec<T>, ColumnError> {
        let n = n.min(self.rows.saturating_sub(start));
        let width = width.min(self.columns);
        let mut out = vec![T::default(); n * width];
        let mut file = self.file();
        let mut col = Vec::with_capacity(n);
        for k in 0..width {
            col.clear();
            self.read_into(&mut file, k, start, n, &mut col)?;
            for (i, &v) in col.iter().enumerate() {
                out[i * width + k] = v;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_round_trip_every_bit_in_any_write_order() {
        let dir = tempfile::tempdir().unwrap();
        let f = ColumnFile::<f64>::create(&dir.path().join("v.bin"), 5, 3).unwrap();
        let value = |r: usize, k: usize| match (r, k) {
            (1, 0) => f64::NAN,
            (2, 1) => -0.0,
            _ => (r * 10 + k) as f64 + 0.1,
        };
        let block = |rows: std::ops::Range<usize>| -> Vec<Vec<f64>> {
            (0..3)
                .map(|k| rows.clone().map(|r| value(r, k)).collect())
                .collect()
        };
        f.write_block(3, &block(3..5)).unwrap();
        f.write_block(0, &block(0..3)).unwrap();
        for k in 0..3 {
            let col = f.read_column(k).unwrap();
            let want: Vec<u64> = (0..5).map(|r| value(r, k).to_bits()).collect();
            assert_eq!(col.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), want);
        }
        assert!(f.read_column(3).unwrap().is_empty());
        let rows = f.read_rows(1, 10, 2).unwrap();
        assert_eq!(rows.len(), 8);
        assert_eq!(rows[1].to_bits(), value(1, 1).to_bits());
        assert_eq!(rows[2 * 2 + 1].to_bits(), value(3, 1).to_bits());
        assert!(rows[0].is_nan());
    }

    #[test]
    fn long_columns_stream_through_the_buffer() {
        let dir = tempfile::tempdir().unwrap();
        let rows = BUFFER_BYTES / 4 * 3 + 7;
        let f = ColumnFile::<u32>::create(&dir.path().join("d.bin"), rows, 2).unwrap();
        let block: Vec<Vec<u32>> = (0..2)
            .map(|k| (0..rows as u32).map(|r| r * 2 + k).collect())
            .collect();
        f.write_block(0, &block).unwrap();
        assert_eq!(f.read_column(1).unwrap(), block[1]);
        assert_eq!((f.rows(), f.columns()), (rows, 2));
    }
}
