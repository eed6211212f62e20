//! Reading import files (SPEC §7): UTF-8 with or without a BOM, or GBK /
//! GB18030 decoded on the fly; CRLF or LF; quoted fields may hold newlines; a
//! header row names the columns, in any order. Nothing here touches the
//! database: the import modules turn rows into typed values and the workflow
//! layer resolves them.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::rc::Rc;

use sha2::{Digest, Sha256};

use crate::{Error, Result};

// The field parsers live beside this reader; import modules use both as `csv_in::`.
pub use super::import_fields::*;

/// The text encoding of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    /// GBK and its superset GB18030 (one decoder reads both).
    Gbk,
}

/// How to read a file.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    pub encoding: Encoding,
    /// Columns the import does not know are skipped instead of refused.
    pub ignore_unknown: bool,
}

/// One column an import understands.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
}

pub const fn req(name: &'static str) -> Column {
    Column { name, required: true }
}

pub const fn opt(name: &'static str) -> Column {
    Column {
        name,
        required: false,
    }
}

/// What is wrong with one field of one record: shown as `file:line: column: problem`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The physical line where the record starts (1 = the header).
    pub line: u64,
    pub column: String,
    pub problem: String,
}

impl Problem {
    pub fn new(line: u64, column: impl Into<String>, problem: impl Into<String>) -> Self {
        Problem {
            line,
            column: column.into(),
            problem: problem.into(),
        }
    }

    pub fn render(&self, file: &str) -> String {
        format!("{file}:{}: {}: {}", self.line, self.column, self.problem)
    }

    /// The text that goes into the reject file's `reason` column.
    pub fn reason(&self) -> String {
        format!("{}: {}", self.column, self.problem)
    }
}

/// An open import file positioned after its header.
pub struct CsvIn {
    name: String,
    reader: csv::Reader<Box<dyn Read>>,
    header: csv::StringRecord,
    /// For each schema column, its index in the file (None when absent).
    map: Vec<Option<usize>>,
    record: csv::StringRecord,
    lines: Rc<RefCell<LineLog>>,
    digest: Rc<RefCell<FileDigest>>,
}

/// One record, with its fields looked up by schema column index.
pub struct Row<'a> {
    pub line: u64,
    rec: &'a csv::StringRecord,
    map: &'a [Option<usize>],
    header_len: usize,
}

impl Row<'_> {
    /// A record with a different number of fields than the header.
    pub fn shape_problem(&self) -> Option<Problem> {
        let (got, want) = (self.rec.len(), self.header_len);
        (got != want).then(|| {
            Problem::new(
                self.line,
                "row",
                format!("has {got} fields but the header has {want}"),
            )
        })
    }

    /// The trimmed field of schema column `col`; "" when the column is absent.
    pub fn get(&self, col: usize) -> &str {
        self.map
            .get(col)
            .copied()
            .flatten()
            .and_then(|i| self.rec.get(i))
            .map(str::trim)
            .unwrap_or("")
    }
}

impl CsvIn {
    /// Opens `path`, reads the header and checks it against `columns`.
    pub fn open(path: &Path, columns: &[Column], opts: ReadOptions) -> Result<CsvIn> {
        let name = path.display().to_string();
        let file = crate::identity::as_caller(|| File::open(path))
            .map_err(|e| Error::input(format!("{name}: cannot open: {e}")))?;
        let digest = Rc::new(RefCell::new(FileDigest::default()));
        let file = Digesting {
            inner: file,
            digest: Rc::clone(&digest),
        };
        let decoded: Box<dyn Read> = match opts.encoding {
            Encoding::Utf8 => Box::new(file),
            Encoding::Gbk => Box::new(Decoding::new(file, encoding_rs::GB18030)),
        };
        let lines = Rc::new(RefCell::new(LineLog::default()));
        let inner: Box<dyn Read> = Box::new(LineCounting {
            inner: decoded,
            log: Rc::clone(&lines),
        });
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(64 * 1024)
            .from_reader(inner);
        let mut header = csv::StringRecord::new();
        let got = reader
            .read_record(&mut header)
            .map_err(|e| read_error(&name, &lines, e))?;
        if !got {
            return Err(Error::input(format!(
                "{name}: the file is empty; a header row is required"
            )));
        }
        let map = match_header(&name, &header, columns, opts.ignore_unknown)?;
        Ok(CsvIn {
            name,
            reader,
            header,
            map,
            record: csv::StringRecord::new(),
            lines,
            digest,
        })
    }

    /// Bytes of the file read so far.
    pub fn bytes_read(&self) -> u64 {
        self.digest.borrow().bytes
    }

    /// The SHA-256 of the bytes read so far: of the whole file once
    /// `next_row` has returned None.
    pub fn sha256(&self) -> [u8; 32] {
        self.digest.borrow().sha.clone().finalize().into()
    }

    /// The file name as the user gave it, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The header as it is in the file.
    pub fn header(&self) -> &csv::StringRecord {
        &self.header
    }

    /// The next record, or None at the end. Text that is not valid in the
    /// file's encoding stops the import: the whole file is probably in
    /// another encoding, and guessing would write mojibake.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>> {
        if !self
            .reader
            .read_record(&mut self.record)
            .map_err(|e| read_error(&self.name, &self.lines, e))?
        {
            return Ok(None);
        }
        let line = self
            .record
            .position()
            .map_or(0, |p| self.lines.borrow_mut().line_at(p.byte()));
        Ok(Some(Row {
            line,
            rec: &self.record,
            map: &self.map,
            header_len: self.header.len(),
        }))
    }
}

/// Writes the rejected records of `src` (by the line they start on) to
/// `out`: the same columns plus `reason`, always UTF-8. Returns how many.
pub fn write_rejects(
    src: &Path,
    opts: ReadOptions,
    reasons: &std::collections::BTreeMap<u64, String>,
    out: &Path,
) -> Result<usize> {
    let mut input = CsvIn::open(
        src,
        &[],
        ReadOptions {
            ignore_unknown: true,
            ..opts
        },
    )?;
    let cant = |e: &dyn std::fmt::Display| Error::input(format!("{}: cannot write: {e}", out.display()));
    let mut w = crate::identity::as_caller(|| csv::WriterBuilder::new().flexible(true).from_path(out))
        .map_err(|e| cant(&e))?;
    let mut header = input.header.clone();
    header.push_field("reason");
    w.write_record(&header).map_err(|e| cant(&e))?;
    let mut n = 0;
    while input.next_row()?.is_some() {
        let line = input
            .record
            .position()
            .map_or(0, |p| input.lines.borrow_mut().line_at(p.byte()));
        if let Some(reason) = reasons.get(&line) {
            let mut rec = input.record.clone();
            rec.push_field(reason);
            w.write_record(&rec).map_err(|e| cant(&e))?;
            n += 1;
        }
    }
    w.flush().map_err(|e| cant(&e))?;
    Ok(n)
}

fn read_error(name: &str, lines: &RefCell<LineLog>, e: csv::Error) -> Error {
    let line = e.position().map(|p| lines.borrow_mut().line_at(p.byte()));
    match (e.kind(), line) {
        (csv::ErrorKind::Utf8 { .. }, Some(line)) => Error::input(format!(
            "{name}:{line}: the text is not valid UTF-8; if the file is GBK or GB18030 (common for Chinese spreadsheets), pass --encoding gbk"
        )),
        (csv::ErrorKind::Io(io), _) => Error::input(format!("{name}: {io}")),
        (_, Some(line)) => Error::input(format!("{name}:{line}: {e}")),
        (_, None) => Error::input(format!("{name}: {e}")),
    }
}

fn match_header(
    name: &str,
    header: &csv::StringRecord,
    columns: &[Column],
    ignore_unknown: bool,
) -> Result<Vec<Option<usize>>> {
    let mut map = vec![None; columns.len()];
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, raw) in header.iter().enumerate() {
        let col = raw.trim().to_ascii_lowercase();
        if let Some(first) = seen.insert(col.clone(), i) {
            problems.push(format!(
                "{name}:1: {col}: the column appears twice (fields {} and {})",
                first + 1,
                i + 1
            ));
            continue;
        }
        match columns.iter().position(|c| c.name == col) {
            Some(k) => map[k] = Some(i),
            None if ignore_unknown => {}
            None => problems.push(format!(
                "{name}:1: {}: unknown column (expected: {}); pass --ignore-unknown to skip it",
                if col.is_empty() { "(empty)" } else { &col },
                columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",")
            )),
        }
    }
    for (k, c) in columns.iter().enumerate() {
        if c.required && map[k].is_none() {
            problems.push(format!("{name}:1: {}: missing required column", c.name));
        }
    }
    if problems.is_empty() {
        Ok(map)
    } else {
        Err(Error::input(problems.join("\n")))
    }
}

/// Newlines seen in the text csv reads, so a record's starting byte can be
/// turned into the physical line people find in an editor (csv's own line
/// number is one short for every record of a CRLF file).
#[derive(Debug, Default)]
struct LineLog {
    /// Offsets of line-break bytes (`\r`, `\n`) not yet passed by a record
    /// start, with whether each is a `\n`.
    ahead: VecDeque<(u64, bool)>,
    /// Newlines before the last record start asked about.
    passed: u64,
    /// Bytes read so far.
    offset: u64,
}

impl LineLog {
    /// The physical line (from 1) of a record csv says starts at `byte`;
    /// records are asked about in file order. csv's start may sit on the
    /// line break that ended the previous record, or before blank lines, so
    /// the record really starts at the first byte from there that is not a
    /// line break.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = byte;
        while let Some(&(at, newline)) = self.ahead.front() {
            if at > start {
                break;
            }
            if at == start {
                start += 1;
            }
            self.ahead.pop_front();
            self.passed += u64::from(newline);
        }
        self.passed + 1
    }
}

/// The file's bytes as read, before any decoding.
#[derive(Default)]
struct FileDigest {
    sha: Sha256,
    bytes: u64,
}

struct Digesting {
    inner: File,
    digest: Rc<RefCell<FileDigest>>,
}

impl Read for Digesting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut d = self.digest.borrow_mut();
        d.sha.update(&buf[..n]);
        d.bytes += n as u64;
        Ok(n)
    }
}

struct LineCounting {
    inner: Box<dyn Read>,
    log: Rc<RefCell<LineLog>>,
}

impl Read for LineCounting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut log = self.log.borrow_mut();
        let base = log.offset;
        for (i, b) in buf[..n].iter().enumerate() {
            if *b == b'\n' || *b == b'\r' {
                log.ahead.push_back((base + i as u64, *b == b'\n'));
            }
        }
        log.offset += n as u64;
        Ok(n)
    }
}

/// A `Read` that decodes GBK/GB18030 to UTF-8 as it goes, refusing bytes
/// that are not valid in the encoding (instead of writing U+FFFD).
struct Decoding<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    eof: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    finished: bool,
    /// Newlines decoded so far, to name the line of a bad byte.
    lines: u64,
}

impl<R: Read> Decoding<R> {
    fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        Decoding {
            inner,
            decoder: encoding.new_decoder(),
            input: vec![0; 32 * 1024],
            in_start: 0,
            in_end: 0,
            eof: false,
            output: vec![0; 64 * 1024],
            out_start: 0,
            out_end: 0,
            finished: false,
            lines: 0,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        while self.out_start == self.out_end && !self.finished {
            if self.in_start == self.in_end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.in_start = 0;
                self.in_end = n;
                self.eof = n == 0;
            }
            let (res, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.in_start..self.in_end],
                &mut self.output,
                self.eof,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            self.lines += self.output[..written].iter().filter(|&&b| b == b'\n').count() as u64;
            match res {
                encoding_rs::DecoderResult::InputEmpty => self.finished = self.eof,
                encoding_rs::DecoderResult::OutputFull => {}
                encoding_rs::DecoderResult::Malformed(..) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "line {}: the bytes are not valid GBK/GB18030 text; is the file UTF-8 (then drop --encoding)?",
                            self.lines + 1
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.fill()?;
        let n = (self.out_end - self.out_start).min(buf.len());
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn physical_lines_with_crlf_lf_blank_lines_and_quoted_newlines() {
        let dir = tempfile::tempdir().unwrap();
        let cols = [req("a"), req("b")];
        for (text, want) in [
            ("a,b\r\n1,\"two\nlines\"\r\n3,x\r\n", vec![2, 4]),
            ("a,b\n1,\"two\r\nlines\"\n3,x\n", vec![2, 4]),
            ("\u{feff}a,b\n\n1,x\n\n\n3,x", vec![3, 6]),
        ] {
            let p = dir.path().join("x.csv");
            std::fs::write(&p, text).unwrap();
            let mut c = CsvIn::open(&p, &cols, ReadOptions::default()).unwrap();
            let mut got = Vec::new();
            while let Some(r) = c.next_row().unwrap() {
                got.push(r.line);
            }
            assert_eq!(got, want, "{text:?}");
        }
    }
}
