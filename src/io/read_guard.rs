//! What sits between an import file and the csv parser: it counts line
//! breaks (so a record's starting byte becomes the line an editor shows) and
//! bounds how much is read for one record, so a file of NUL bytes, a binary
//! file or `/dev/zero` stops with a message instead of filling memory
//! (issue 9). A problem found here travels through csv's `io::Error` as a
//! [`Fault`] and comes out as `file:line: ...` like every other. The GBK
//! decoder lives here too, for the same reason.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

/// The most bytes read from where a record starts before it must have ended
/// (blank lines before it included). Well above any honest record: the
/// largest field is [`FIELD_BYTES`] and no import has 40 columns.
pub const RECORD_BYTES: u64 = 4 << 20;

/// The largest field, in bytes (the longest text field, a 4000-character
/// paragraph, is at most 16,000 bytes of UTF-8).
pub const FIELD_BYTES: usize = 64 << 10;

/// A problem below csv: the line it is on and what it is.
#[derive(Debug)]
pub struct Fault {
    pub line: u64,
    /// Already `column: problem` or a sentence.
    pub message: String,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for Fault {}

impl Fault {
    pub fn io(line: u64, message: impl Into<String>) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            Fault {
                line,
                message: message.into(),
            },
        )
    }

    /// The fault inside an `io::Error`, if it is one of ours.
    pub fn of(e: &io::Error) -> Option<&Fault> {
        e.get_ref().and_then(|inner| inner.downcast_ref::<Fault>())
    }
}

/// Line breaks seen in the text csv reads, so a record's starting byte can
/// be turned into the physical line people find in an editor (csv's own line
/// number is one short for every record of a CRLF file, and a lone CR ends a
/// line too).
#[derive(Debug, Default)]
pub struct LineLog {
    /// Offsets of line breaks not yet passed by a record start. A `\r\n`
    /// pair is one break (at the `\r`); each entry is the offset times two,
    /// plus one when the break is a `\r` that may still be followed by `\n`.
    ahead: VecDeque<u64>,
    /// Line breaks before the last record start asked about.
    passed: u64,
    /// Bytes read so far.
    offset: u64,
    /// Where the record being read starts (bytes).
    record_start: u64,
    /// The previous byte read was `\r`.
    after_cr: bool,
}

impl LineLog {
    /// The physical line (from 1) of a record csv says starts at `byte`;
    /// records are asked about in file order. csv's start may sit on the
    /// line break that ended the previous record, or before blank lines, so
    /// the record really starts at the first byte from there that is not a
    /// line break.
    pub fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = byte;
        while let Some(&entry) = self.ahead.front() {
            let at = entry >> 1;
            if at > start {
                break;
            }
            // A CRLF pair is two bytes of one break; a start on either byte
            // moves past it (and on through any blank lines after it).
            let end = at + 1 + u64::from(self.is_crlf(entry));
            if end > start {
                start = end;
            }
            self.ahead.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }

    fn is_crlf(&self, entry: u64) -> bool {
        entry & 1 == 1
    }

    /// A new record begins at `byte`: the size bound counts from here.
    pub fn record_starts(&mut self, byte: u64) {
        self.record_start = byte;
    }

    fn saw(&mut self, buf: &[u8]) {
        let base = self.offset;
        for (i, &b) in buf.iter().enumerate() {
            let at = base + i as u64;
            match b {
                b'\n' if self.after_cr => {
                    // The `\n` of a CRLF: mark the pair on the `\r`'s entry.
                    if let Some(last) = self.ahead.back_mut() {
                        *last |= 1;
                    }
                }
                b'\n' | b'\r' => self.ahead.push_back(at << 1),
                _ => {}
            }
            self.after_cr = b == b'\r';
        }
        self.offset += buf.len() as u64;
    }
}

/// Reads through to csv, logging line breaks and refusing a record that
/// goes on past [`RECORD_BYTES`].
pub struct Guard {
    pub inner: Box<dyn Read>,
    pub log: Rc<RefCell<LineLog>>,
}

impl Read for Guard {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut log = self.log.borrow_mut();
        let used = log.offset.saturating_sub(log.record_start);
        if used >= RECORD_BYTES {
            let start = log.record_start;
            let line = log.line_at(start);
            return Err(Fault::io(
                line,
                format!(
                    "row: too long (more than {RECORD_BYTES} bytes without the record ending, limit {RECORD_BYTES}); is this a CSV file?"
                ),
            ));
        }
        // Never read past the bound, so memory stays within it.
        let room = (RECORD_BYTES - used).min(buf.len() as u64) as usize;
        drop(log);
        let n = self.inner.read(&mut buf[..room])?;
        self.log.borrow_mut().saw(&buf[..n]);
        Ok(n)
    }
}

/// A `Read` that decodes GBK/GB18030 to UTF-8 as it goes, refusing bytes
/// that are not valid in the encoding (instead of writing U+FFFD).
pub struct Decoding<R> {
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
    pub fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
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
                    return Err(Fault::io(
                        self.lines + 1,
                        "the bytes are not valid GBK/GB18030 text; is the file UTF-8 (then drop --encoding)?",
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

    fn lines_of(text: &[u8], starts: &[u64]) -> Vec<u64> {
        let mut log = LineLog::default();
        log.saw(text);
        starts.iter().map(|&s| log.line_at(s)).collect()
    }

    #[test]
    fn crlf_lf_and_lone_cr_each_end_one_line() {
        // "a\r\nb\nc\rd": records start at 0, 3, 5, 7.
        assert_eq!(lines_of(b"a\r\nb\nc\rd", &[0, 3, 5, 7]), vec![1, 2, 3, 4]);
        // csv may say a record starts on the break that ended the last one.
        assert_eq!(lines_of(b"a\r\nb\r\nc", &[0, 1, 4]), vec![1, 2, 3]);
        assert_eq!(lines_of(b"a\r\nb\r\nc", &[0, 2, 5]), vec![1, 2, 3]);
        // ... or on the LF of a CRLF before a blank line.
        assert_eq!(lines_of(b"a\r\n\r\nb", &[0, 2]), vec![1, 3]);
        // A lone CR, then a CRLF: x is on line 3 (a blank line between).
        assert_eq!(lines_of(b"h\r\r\nx", &[0, 1]), vec![1, 3]);
    }

    #[test]
    fn an_endless_record_stops_at_the_bound() {
        let log = Rc::new(RefCell::new(LineLog::default()));
        let mut g = Guard {
            inner: Box::new(io::repeat(0)),
            log: Rc::clone(&log),
        };
        let mut buf = vec![0; 1 << 20];
        let mut total = 0u64;
        let err = loop {
            match g.read(&mut buf) {
                Ok(n) => total += n as u64,
                Err(e) => break e,
            }
        };
        assert_eq!(total, RECORD_BYTES);
        let f = Fault::of(&err).unwrap();
        assert_eq!(f.line, 1);
        assert!(f.message.starts_with("row: too long"), "{}", f.message);
    }
}
