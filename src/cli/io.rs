//! `shopdesk import` and `shopdesk export`.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use crate::io::csv_in::{Encoding, ReadOptions};
use crate::io::export::Format;
use crate::ops::Session;
use crate::ops::export::{self, ExportOptions, What};
use crate::ops::import::{self, Kind, Options};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportKind {
    Merchants,
    Products,
    Orders,
    /// merchant_code,kind,number,issuer,expires_on,status
    MerchantDocuments,
    Reviews,
    Tickets,
    Traffic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EncodingArg {
    #[value(name = "utf8", alias = "utf-8")]
    Utf8,
    /// GBK or GB18030 (one decoder reads both).
    #[value(name = "gbk", alias = "gb18030")]
    Gbk,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub kind: ImportKind,
    /// The CSV file (header row required; see docs/FILES.md).
    pub file: PathBuf,
    /// Check everything and report what would happen; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the good rows; write the bad ones to the reject file.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Where --skip-invalid puts bad rows (default: FILE.rejects.csv).
    #[arg(long, value_name = "FILE", requires = "skip_invalid")]
    pub reject_file: Option<PathBuf>,
    /// Skip columns this import does not know instead of refusing the file.
    #[arg(long)]
    pub ignore_unknown: bool,
    /// The file's text encoding.
    #[arg(long, value_enum, default_value_t = EncodingArg::Utf8)]
    pub encoding: EncodingArg,
    /// Orders: list what the channel had that shopdesk lacks, for order
    /// numbers (TM1000..TM1999) or shop-local days (2026-11-01..2026-11-07),
    /// both ends included.
    #[arg(long, value_name = "FROM..TO")]
    pub expect_range: Option<String>,
    /// Orders: the channel --expect-range is about (default: the file's only channel).
    #[arg(long)]
    pub channel: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportKind {
    Merchants,
    Products,
    Orders,
    Tickets,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(value_enum)]
    pub kind: ExportKind,
    /// Only rows in this status.
    #[arg(long)]
    pub status: Option<String>,
    /// First shop-local day included (YYYY-MM-DD), on applied_at / created_at / placed_at / opened_at.
    #[arg(long, value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// First shop-local day NOT included (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    pub to: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn parse_date(s: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date like 2026-11-01"))
}

pub fn import(db: &Path, a: ImportArgs) -> Result<()> {
    let mut s = Session::open(db)?;
    let kind = match a.kind {
        ImportKind::Merchants => Kind::Merchants,
        ImportKind::Products => Kind::Products,
        ImportKind::Orders => Kind::Orders,
        ImportKind::MerchantDocuments => Kind::MerchantDocuments,
        ImportKind::Reviews => Kind::Reviews,
        ImportKind::Tickets => Kind::Tickets,
        ImportKind::Traffic => Kind::Traffic,
    };
    let opts = Options {
        read: ReadOptions {
            encoding: match a.encoding {
                EncodingArg::Utf8 => Encoding::Utf8,
                EncodingArg::Gbk => Encoding::Gbk,
            },
            ignore_unknown: a.ignore_unknown,
        },
        dry_run: a.dry_run,
        skip_invalid: a.skip_invalid,
        reject_file: a.reject_file,
        expect_range: a.expect_range,
        channel: a.channel,
    };
    let report = import::import(&mut s, kind, &a.file, &opts)?;
    // The import is committed by now; a closed pipe (`| head`) must not turn
    // that into a failure.
    let _ = std::io::stdout().write_all(super::safe(&report.to_string()).as_bytes());
    Ok(())
}

pub fn export(db: &Path, a: ExportArgs) -> Result<()> {
    let s = Session::open(db)?;
    let what = match a.kind {
        ExportKind::Merchants => What::Merchants,
        ExportKind::Products => What::Products,
        ExportKind::Orders => What::Orders,
        ExportKind::Tickets => What::Tickets,
    };
    let opts = ExportOptions {
        status: a.status,
        from: a.from,
        to: a.to,
        format: match a.format {
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
        },
    };
    match a.output {
        None => {
            let stdout = std::io::stdout();
            match export::export(&s, what, &opts, std::io::BufWriter::new(stdout.lock())) {
                // The reader stopped early (`| head`): not a failure.
                Err(Error::Input(m)) if m == crate::io::export::OUTPUT_CLOSED => {}
                r => {
                    r?;
                }
            }
        }
        Some(path) => {
            // Written beside the target and renamed at the end, so a failed
            // export never leaves a half file under the real name.
            let mut partial = path.as_os_str().to_owned();
            partial.push(".partial");
            let partial = PathBuf::from(partial);
            let file = crate::identity::create_for_caller(&partial, false)
                .map_err(|e| Error::input(format!("{}: cannot create: {e}", partial.display())))?;
            let result = export::export(&s, what, &opts, std::io::BufWriter::new(file));
            let n = match result {
                Ok(n) => n,
                Err(e) => {
                    let _ = std::fs::remove_file(&partial);
                    return Err(e);
                }
            };
            std::fs::rename(&partial, &path)
                .map_err(|e| Error::input(format!("{}: cannot write: {e}", path.display())))?;
            let msg = super::safe(&format!("exported {n} rows to {}", path.display()));
            let _ = writeln!(std::io::stderr(), "{msg}");
        }
    }
    Ok(())
}
