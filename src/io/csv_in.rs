//! Reading import files (SPEC §7): UTF-8 with or without a BOM, or GBK /
//! GB18030 decoded on the fly; CRLF or LF; quoted fields may hold newlines; a
//! header row names the columns, in any order. Nothing here touches the
//! database: the import modules turn rows into typed values and the workflow
//! layer resolves them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::rc::Rc;

use sha2::{Digest, Sha256};

use super::read_guard::{Decoding, FIELD_BYTES, Fault, Guard, LineLog};
use crate::domain::limits::{self, TextKind};
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
    /// Its limits (docs/FILES.md): one line of text unless it says otherwise.
    pub kind: TextKind,
}

pub const fn req(name: &'static str) -> Column {
    Column {
        name,
        required: true,
        kind: TextKind::Line,
    }
}

pub const fn opt(name: &'static str) -> Column {
    Column {
        name,
        required: false,
        kind: TextKind::Line,
    }
}

impl Column {
    /// The same column with the limits of `kind`.
    pub const fn kind(mut self, kind: TextKind) -> Column {
        self.kind = kind;
        self
    }
}

/// How many problems of a header are listed (a header of 200,000 empty
/// columns must not print 200,000 lines).
const HEADER_PROBLEMS: usize = 20;

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
    /// Each schema column's limits, by file field index.
    kinds: Vec<Option<TextKind>>,
    rows: u64,
    digest: Rc<RefCell<FileDigest>>,
}

/// One record, with its fields looked up by schema column index.
pub struct Row<'a> {
    pub line: u64,
    rec: &'a csv::StringRecord,
    map: &'a [Option<usize>],
    header: &'a csv::StringRecord,
    kinds: &'a [Option<TextKind>],
}

impl Row<'_> {
    /// What is wrong with the record as text, before any field is parsed:
    /// a different number of fields than the header, or a field past its
    /// column's limits or holding a character no field may (docs/FILES.md).
    pub fn problem(&self) -> Option<Problem> {
        let (got, want) = (self.rec.len(), self.header.len());
        if got != want {
            return Some(Problem::new(
                self.line,
                "row",
                format!("has {got} fields but the header has {want}"),
            ));
        }
        for (i, field) in self.rec.iter().enumerate() {
            let Some(kind) = self.kinds.get(i).copied().flatten() else {
                continue;
            };
            let v = field.trim();
            // Printable ASCII within the limit is the common case: no char walk.
            let plain = v.len() <= limits::max_chars(kind)
                && v.bytes().all(|b| (b' '..=b'~').contains(&b))
                && !(kind == TextKind::Token && v.contains(' '));
            if plain {
                continue;
            }
            if let Err(why) = limits::check(v, kind) {
                let column = self.header.get(i).unwrap_or("").trim().to_ascii_lowercase();
                return Some(Problem::new(self.line, column, why));
            }
        }
        None
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
        let inner: Box<dyn Read> = Box::new(Guard {
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
                "{name}:1: the file is empty; a header row is required"
            )));
        }
        if let Some((i, f)) = header.iter().enumerate().find(|(_, f)| f.len() > FIELD_BYTES) {
            return Err(Error::input(format!(
                "{name}:1: column {}: too long ({} bytes, limit {FIELD_BYTES})",
                i + 1,
                f.len()
            )));
        }
        let map = match_header(&name, &header, columns, opts.ignore_unknown)?;
        let mut kinds = vec![None; header.len()];
        for (k, i) in map.iter().enumerate() {
            if let (Some(i), Some(c)) = (i, columns.get(k)) {
                kinds[*i] = Some(c.kind);
            }
        }
        lines.borrow_mut().record_starts(reader.position().byte());
        Ok(CsvIn {
            name,
            reader,
            header,
            map,
            record: csv::StringRecord::new(),
            lines,
            kinds,
            rows: 0,
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
            if self.rows == 0 {
                return Err(Error::input(format!(
                    "{}:1: the file has a header but no rows; nothing to import",
                    self.name
                )));
            }
            return Ok(None);
        }
        self.rows += 1;
        let mut lines = self.lines.borrow_mut();
        let line = self.record.position().map_or(0, |p| lines.line_at(p.byte()));
        // The size bound counts from the next record's start.
        lines.record_starts(self.reader.position().byte());
        drop(lines);
        if let Some((i, f)) = self
            .record
            .iter()
            .enumerate()
            .find(|(_, f)| f.len() > FIELD_BYTES)
        {
            let column = match self.header.get(i) {
                Some(c) if !c.trim().is_empty() => limits::quote(&c.trim().to_ascii_lowercase())
                    .trim_matches('"')
                    .to_string(),
                _ => format!("field {}", i + 1),
            };
            return Err(Error::input(format!(
                "{}:{line}: {column}: too long ({} bytes, limit {FIELD_BYTES})",
                self.name,
                f.len()
            )));
        }
        Ok(Some(Row {
            line,
            rec: &self.record,
            map: &self.map,
            header: &self.header,
            kinds: &self.kinds,
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
    while let Some(row) = input.next_row()? {
        let line = row.line;
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
        (csv::ErrorKind::Io(io), _) => match Fault::of(io) {
            Some(f) => Error::input(format!("{name}:{}: {}", f.line, f.message)),
            None => Error::input(format!("{name}: {io}")),
        },
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
        // Shown bounded and escaped: a column name is the file's text.
        let shown = match col.as_str() {
            "" => "(empty)".to_string(),
            c if c.chars().any(|ch| limits::is_forbidden(ch, false)) || c.chars().count() > 64 => {
                limits::quote(c)
            }
            c => c.to_string(),
        };
        if let Some(first) = seen.insert(col.clone(), i) {
            problems.push(format!(
                "{name}:1: {shown}: the column appears twice (fields {} and {})",
                first + 1,
                i + 1
            ));
            continue;
        }
        match columns.iter().position(|c| c.name == col) {
            Some(k) => map[k] = Some(i),
            None if ignore_unknown => {}
            None => problems.push(format!(
                "{name}:1: {shown}: unknown column (expected: {}); pass --ignore-unknown to skip it",
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
        return Ok(map);
    }
    let more = problems.len().saturating_sub(HEADER_PROBLEMS);
    problems.truncate(HEADER_PROBLEMS);
    if more > 0 {
        problems.push(format!("{name}:1: and {more} more problem(s) in the header"));
    }
    Err(Error::input(problems.join("\n")))
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

    fn first_error(path: &Path, cols: &[Column], opts: ReadOptions) -> String {
        let mut c = match CsvIn::open(path, cols, opts) {
            Ok(c) => c,
            Err(e) => return e.to_string(),
        };
        loop {
            match c.next_row() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("{}: read to the end without an error", path.display()),
                Err(e) => return e.to_string(),
            }
        }
    }

    /// Issue 9 item 15: the GBK decoder said `file.csv: line 3:`.
    #[test]
    fn a_gbk_decode_error_names_file_and_line_like_every_other() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.csv");
        let mut bytes = encoding_rs::GBK.encode("a,b\n蓝牙,耳机\n").0.into_owned();
        bytes.extend_from_slice(b"x,\x81\x20\n");
        std::fs::write(&p, &bytes).unwrap();
        let opts = ReadOptions {
            encoding: Encoding::Gbk,
            ..Default::default()
        };
        let err = first_error(&p, &[req("a"), req("b")], opts);
        let want = format!("{}:3: the bytes are not valid GBK/GB18030 text", p.display());
        assert!(err.contains(&want), "{err}");
    }

    /// Issue 9 item 12: sizes are bounded at the reader, and a header's
    /// problems are listed bounded.
    #[test]
    fn fields_records_and_header_problems_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let cols = [req("a"), req("b")];
        let p = dir.path().join("big.csv");
        std::fs::write(&p, format!("a,b\n1,{}\n", "x".repeat(FIELD_BYTES + 1))).unwrap();
        let err = first_error(&p, &cols, ReadOptions::default());
        assert!(
            err.contains(&format!(
                "big.csv:2: b: too long ({} bytes, limit {FIELD_BYTES})",
                FIELD_BYTES + 1
            )),
            "{err}"
        );
        std::fs::write(&p, vec![0u8; 5 << 20]).unwrap();
        let err = first_error(&p, &cols, ReadOptions::default());
        assert!(err.contains("big.csv:1: row: too long (more than"), "{err}");
        std::fs::write(&p, format!("a,b{}\n1,2\n", ",x".repeat(500))).unwrap();
        let err = first_error(&p, &cols, ReadOptions::default());
        assert!(err.lines().count() <= HEADER_PROBLEMS + 1, "{err}");
        assert!(err.contains("and 480 more problem(s) in the header"), "{err}");
        std::fs::write(&p, "a,b\n").unwrap();
        let err = first_error(&p, &cols, ReadOptions::default());
        assert!(
            err.contains("big.csv:1: the file has a header but no rows"),
            "{err}"
        );
    }
}
