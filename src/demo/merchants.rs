//! Merchants with their documents and violations, every review state present.

use std::collections::BTreeSet;

use super::goods::LEAVES;
use super::names::{self, CITIES};
use super::util::{DAY, Dice, HOUR, quota, ts};
use super::{Ctx, STREAM_MERCHANTS};
use crate::Result;
use crate::domain::merchant::{CooperationMode, DocKind, MerchantStatus, Severity, required_docs};
use crate::store::seed::{self, Load};

/// What later phases need to know about a merchant (id = index + 1).
pub struct MerchantInfo {
    pub name: String,
    pub city: usize,
    pub status: MerchantStatus,
    pub brand: Option<String>,
    /// Indexes into `goods::LEAVES` the merchant sells in.
    pub leaves: Vec<usize>,
    /// When it was approved (products cannot be older).
    pub decided: i64,
    pub violation_points: i64,
}

const SHARES: &[(MerchantStatus, u32)] = &[
    (MerchantStatus::Active, 58),
    (MerchantStatus::Submitted, 8),
    (MerchantStatus::UnderReview, 8),
    (MerchantStatus::NeedsChanges, 5),
    (MerchantStatus::Approved, 5),
    (MerchantStatus::Rejected, 6),
    (MerchantStatus::Suspended, 5),
    (MerchantStatus::Terminated, 5),
];

const REJECT_REASONS: &[&str] = &[
    "资质不全：缺少品牌授权书 / brand authorisation missing",
    "经营范围与申请类目不符 / business scope does not cover the categories",
    "营业执照已过期 / business licence expired",
    "Trademark certificate could not be verified",
];
const CHANGE_REASONS: &[&str] = &[
    "营业执照照片模糊，请重新上传 / licence photo unreadable, please re-upload",
    "法人身份证有效期不足三个月 / legal representative ID expires within 3 months",
    "Please add the quality inspection report for the tea products",
];
const VIOLATIONS: &[&str] = &[
    "延迟发货 late shipment",
    "虚假发货 fake tracking number",
    "售卖假冒商品 counterfeit goods",
    "虚假宣传 misleading listing",
    "诱导好评 review manipulation",
    "客服态度恶劣 abusive customer service",
];

pub fn generate(l: &Load<'_>, ctx: &Ctx<'_>, n: usize) -> Result<Vec<MerchantInfo>> {
    let mut d = Dice::new(ctx.seed, STREAM_MERCHANTS);
    let statuses = quota(&mut d, n, SHARES);
    let mut used = BTreeSet::new();
    let mut overdue_seen = false;
    let mut out = Vec::with_capacity(n);
    for (i, status) in statuses.into_iter().enumerate() {
        let id = i as i64 + 1;
        let city_i = d.below(CITIES.len());
        let city = &CITIES[city_i.min(CITIES.len() - 1)];
        let english = d.chance(0.25);
        let (name, legal, stem) = company_name(&mut d, city.name, english, i, &mut used);
        let mode = CooperationMode::ALL[d.weighted(&[45, 30, 25])];
        let brand = match mode {
            CooperationMode::Direct => Some(stem),
            CooperationMode::Agency => Some(d.pick(names::AGENCY_BRANDS).to_string()),
            CooperationMode::Joint => None,
        };
        let mut leaves: Vec<usize> = Vec::new();
        for _ in 0..d.range(1, 3) {
            let l = d.below(LEAVES.len());
            if !leaves.contains(&l) {
                leaves.push(l);
            }
        }
        let requested: Vec<&str> = leaves
            .iter()
            .filter_map(|l| LEAVES.get(*l))
            .map(|l| l.path)
            .collect();
        let code = format!("M{}", 10_000 + id);
        let contact = names::person(&mut d);
        let email = if english {
            let slug: String = name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            format!("sales@{slug}.com")
        } else {
            format!("{}@{}", d.digits(9), d.pick(&["qq.com", "163.com", "126.com"]))
        };
        let address = format!(
            "{}{}{}{}{}号{}大厦{}层",
            city.province,
            city.name,
            d.pick(city.districts),
            d.pick(names::ROADS),
            d.range(1, 500),
            d.pick(names::WORDS),
            d.range(2, 38)
        );
        let licence = names::credit_code(&mut d);
        let (mut applied, decided, mut updated, reason) = timeline(&mut d, ctx.now, status);
        let sla_days = ctx.settings.merchant_review_sla_days;
        let mut due = ctx.sla.due(applied, sla_days);
        // Some applications wait past their review deadline (at least one).
        let waiting = matches!(status, MerchantStatus::Submitted | MerchantStatus::UnderReview);
        if waiting && (!overdue_seen || d.chance(0.3)) {
            for _ in 0..10 {
                if due < ctx.now - HOUR {
                    break;
                }
                applied -= 3 * DAY;
                updated -= 3 * DAY;
                due = ctx.sla.due(applied, sla_days);
            }
        }
        overdue_seen |= waiting && due < ctx.now;
        let working = matches!(
            status,
            MerchantStatus::Active | MerchantStatus::Suspended | MerchantStatus::Terminated
        );
        let (deposit_paid, signed) = match status {
            _ if working => (true, true),
            MerchantStatus::Approved => (d.chance(0.5), d.chance(0.5)),
            _ => (false, false),
        };
        let deposit = d.pick(&[500_000i64, 1_000_000, 2_000_000, 5_000_000]);
        let points = violations(l, ctx, &mut d, id, status, decided, deposit)?;
        documents(l, ctx, &mut d, id, mode, status, city.name, brand.as_deref())?;
        l.merchant(&seed::Merchant {
            id,
            code: &code,
            name: &name,
            legal_name: &legal,
            contact_name: &contact,
            phone: &names::phone(&mut d),
            email: &email,
            address: &address,
            city: city.name,
            license_no: &licence,
            tax_id: &licence,
            cooperation_mode: mode.as_str(),
            requested_categories: &requested.join(","),
            status: status.as_str(),
            status_reason: reason.as_deref(),
            commission_bp: if d.chance(0.3) {
                Some(d.range(3, 10) * 100)
            } else {
                None
            },
            platform_fee_minor: d.pick(&[0i64, 30_000, 60_000, 99_900]),
            deposit_minor: deposit,
            deposit_paid,
            agreement_signed: signed,
            credit_score: 80,
            violation_points: points,
            applied_at: &ts(applied),
            review_due_at: &ts(due),
            decided_at: decided.map(ts).as_deref(),
            created_at: &ts(applied),
            updated_at: &ts(updated),
        })?;
        out.push(MerchantInfo {
            name,
            city: city_i,
            status,
            brand,
            leaves,
            decided: decided.unwrap_or(applied),
            violation_points: points,
        });
    }
    Ok(out)
}

/// (display name, legal name, brand stem), unique across the run.
fn company_name(
    d: &mut Dice,
    city: &str,
    english: bool,
    i: usize,
    used: &mut BTreeSet<String>,
) -> (String, String, String) {
    for attempt in 0..40 {
        let (name, legal, stem) = if english {
            let adj = d.pick(names::EN_ADJ);
            let noun = d.pick(names::EN_NOUN);
            let name = if attempt < 20 {
                format!("{adj} {noun}")
            } else {
                format!(
                    "{adj} {noun} {}",
                    d.pick(&["International", "Group", "Direct", "Global"])
                )
            };
            let legal = if noun.ends_with("Co.") {
                format!("{name} Limited")
            } else {
                format!("{name} Co., Ltd.")
            };
            let stem = adj.split(' ').next().unwrap_or(adj).to_string();
            (name, legal, stem)
        } else {
            let stem = d.pick(names::WORDS);
            let second = if attempt < 20 { "" } else { d.pick(names::WORDS) };
            let legal = format!("{city}{stem}{second}{}有限公司", d.pick(names::INDUSTRIES));
            (legal.clone(), legal, stem.to_string())
        };
        if used.insert(name.clone()) {
            return (name, legal, stem);
        }
    }
    let name = format!("{city}商户{}有限公司", i + 1);
    used.insert(name.clone());
    (name.clone(), name, format!("M{}", i + 1))
}

/// (applied, decided, updated, status reason) for a merchant in `status`.
fn timeline(d: &mut Dice, now: i64, status: MerchantStatus) -> (i64, Option<i64>, i64, Option<String>) {
    use MerchantStatus as S;
    let ago = |d: &mut Dice, lo: i64, hi: i64| now - d.range(lo, hi);
    match status {
        S::Active | S::Suspended | S::Terminated => {
            let applied = ago(d, 130 * DAY, 720 * DAY);
            let decided = applied + d.range(DAY, 8 * DAY);
            let (updated, reason) = match status {
                S::Suspended => (
                    ago(d, DAY, 40 * DAY),
                    Some(
                        "违规积分达到处罚线 / violation points reached the suspension threshold".to_string(),
                    ),
                ),
                S::Terminated => (
                    ago(d, 5 * DAY, 100 * DAY),
                    Some(
                        d.pick(&[
                            "合作到期未续约 / contract ended",
                            "严重违规，终止合作 / severe violation",
                            "商家主动申请退出 / merchant asked to leave",
                        ])
                        .to_string(),
                    ),
                ),
                _ => (ago(d, 0, 60 * DAY).max(decided), None),
            };
            (applied, Some(decided), updated, reason)
        }
        S::Approved => {
            let applied = ago(d, 6 * DAY, 25 * DAY);
            let decided = (applied + d.range(DAY, 5 * DAY)).min(now - HOUR);
            (applied, Some(decided), decided, None)
        }
        S::Submitted => {
            let applied = ago(d, HOUR, 10 * DAY);
            (applied, None, applied, None)
        }
        S::UnderReview => {
            let applied = ago(d, DAY, 12 * DAY);
            (applied, None, applied + d.range(HOUR, DAY), None)
        }
        S::NeedsChanges => {
            let applied = ago(d, 3 * DAY, 25 * DAY);
            let updated = (applied + d.range(DAY, 4 * DAY)).min(now);
            (applied, None, updated, Some(d.pick(CHANGE_REASONS).to_string()))
        }
        S::Rejected => {
            let applied = ago(d, 10 * DAY, 120 * DAY);
            let decided = applied + d.range(DAY, 6 * DAY);
            (
                applied,
                Some(decided),
                decided,
                Some(d.pick(REJECT_REASONS).to_string()),
            )
        }
    }
}

/// Writes a merchant's violations; returns the total points.
fn violations(
    l: &Load<'_>,
    ctx: &Ctx<'_>,
    d: &mut Dice,
    id: i64,
    status: MerchantStatus,
    decided: Option<i64>,
    deposit: i64,
) -> Result<i64> {
    use MerchantStatus as S;
    let severities: Vec<Severity> = match status {
        S::Active if d.chance(0.18) => (0..d.range(1, 2))
            .map(|_| {
                if d.chance(0.7) {
                    Severity::Minor
                } else {
                    Severity::Major
                }
            })
            .collect(),
        S::Suspended => vec![Severity::Severe, Severity::Major, Severity::Major],
        S::Terminated if d.chance(0.5) => vec![Severity::Severe, Severity::Severe],
        _ => Vec::new(),
    };
    let from = decided.unwrap_or(ctx.now - 30 * DAY);
    let mut total = 0;
    let mut times: Vec<i64> = severities.iter().map(|_| d.range(from, ctx.now - HOUR)).collect();
    times.sort_unstable();
    for (sev, at) in severities.iter().zip(times) {
        let points = sev.default_points();
        total += points;
        let deduction = match sev {
            Severity::Severe => deposit / 5,
            Severity::Major => d.pick(&[0i64, 50_000]),
            Severity::Minor => 0,
        };
        l.merchant_violation(&seed::MerchantViolation {
            merchant_id: id,
            kind: d.pick(VIOLATIONS),
            severity: sev.as_str(),
            points,
            deduction_minor: deduction,
            note: d.pick(&[
                "买家投诉核实 / confirmed from buyer complaints",
                "巡检发现 / found in a routine check",
                "",
            ]),
            created_at: &ts(at),
            created_by: if d.chance(0.5) {
                ctx.owner
            } else {
                ctx.staff.operator.as_str()
            },
        })?;
    }
    Ok(total)
}

#[allow(clippy::too_many_arguments)]
fn documents(
    l: &Load<'_>,
    ctx: &Ctx<'_>,
    d: &mut Dice,
    id: i64,
    mode: CooperationMode,
    status: MerchantStatus,
    city: &str,
    brand: Option<&str>,
) -> Result<()> {
    use MerchantStatus as S;
    let required = required_docs(mode);
    let mut kinds: Vec<DocKind> = required.to_vec();
    if d.chance(0.4) {
        kinds.push(DocKind::QualityInspectionReport);
    }
    if d.chance(0.3) {
        kinds.push(DocKind::QualitySystemCertificate);
    }
    let today = ctx.today;
    // Most documents run for years; one per merchant may come up for renewal.
    let years = |kind: &DocKind| match kind {
        DocKind::BusinessLicence
        | DocKind::TaxRegistration
        | DocKind::OrganisationCode
        | DocKind::IntegrityPledge => None,
        DocKind::BrandAuthorisation | DocKind::QualityInspectionReport => Some(1),
        DocKind::QualitySystemCertificate => Some(3),
        DocKind::LegalRepId | DocKind::TrademarkCertificate => Some(10),
    };
    let expiring: Vec<usize> = (0..kinds.len())
        .filter(|k| kinds.get(*k).and_then(years).is_some())
        .collect();
    let flagged = expiring
        .get(d.below(expiring.len()))
        .copied()
        .unwrap_or(usize::MAX);
    let roll = d.unit();
    for (k, kind) in kinds.iter().enumerate() {
        let years = years(kind);
        let soon = k == flagged && roll < 0.3;
        let expired = k == flagged && (0.3..0.36).contains(&roll);
        let mut expires = years.map(|y| today + chrono::Days::new(d.range(40, y * 365) as u64));
        if soon && years.is_some() {
            expires = Some(today + chrono::Days::new(d.range(1, 29) as u64));
        }
        if expired && years.is_some() {
            expires = Some(today - chrono::Days::new(d.range(1, 60) as u64));
        }
        let check = match status {
            _ if expired && years.is_some() => "expired",
            S::Active | S::Approved | S::Suspended | S::Terminated => "verified",
            S::Submitted => "pending",
            S::UnderReview => {
                if d.chance(0.6) {
                    "verified"
                } else {
                    "pending"
                }
            }
            S::NeedsChanges | S::Rejected if k == flagged => "rejected",
            S::NeedsChanges | S::Rejected => "verified",
        };
        let (number, issuer) = match kind {
            DocKind::BusinessLicence => (names::credit_code(d), format!("{city}市场监督管理局")),
            DocKind::TaxRegistration => (names::credit_code(d), format!("国家税务总局{city}税务局")),
            DocKind::OrganisationCode => (names::credit_code(d), format!("{city}市场监督管理局")),
            DocKind::LegalRepId => (
                format!("{}{}", d.range(110_000, 659_999), d.digits(12)),
                format!("{city}公安局"),
            ),
            DocKind::TrademarkCertificate => (format!("第{}号", d.digits(8)), "国家知识产权局".to_string()),
            DocKind::BrandAuthorisation => (
                format!("AUTH-{}", d.digits(6)),
                format!("{} 品牌方 / brand owner", brand.unwrap_or("")),
            ),
            DocKind::QualityInspectionReport => (
                format!("SGS{}", d.digits(10)),
                "通标标准技术服务有限公司 SGS".to_string(),
            ),
            DocKind::QualitySystemCertificate => {
                (format!("CQC{}", d.digits(8)), "中国质量认证中心 CQC".to_string())
            }
            DocKind::IntegrityPledge => (format!("PLEDGE-{id}"), "shopdesk 平台".to_string()),
        };
        let note = match check {
            "rejected" => "扫描件不清晰 / scan unreadable",
            "expired" => "已过期，请上传新证件 / expired, upload a renewal",
            _ if soon => "即将到期 / expiring soon",
            _ => "",
        };
        l.merchant_document(&seed::MerchantDocument {
            merchant_id: id,
            kind: kind.as_str(),
            number: &number,
            issuer: &issuer,
            expires_on: expires.map(|e| e.format("%Y-%m-%d").to_string()).as_deref(),
            check_status: check,
            note,
        })?;
    }
    Ok(())
}
