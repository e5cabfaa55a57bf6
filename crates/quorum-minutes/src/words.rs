//! The minutes' Vietnamese: fixed labels, majority rules and verdicts in words, dates in
//! Vietnam time (UTC+7, no daylight saving) and numbers with a decimal comma.

use quorum_domain::Timestamp;
use quorum_domain::meeting::floor::FloorKind;
use quorum_domain::rules::{Abstentions, MajorityBase, MajorityRule, Ratio, Threshold};

/// The national title (Quốc hiệu) of Decree 30/2020/NĐ-CP.
pub const NATIONAL_TITLE: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
/// The motto (Tiêu ngữ) under it.
pub const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";
/// The document's kind.
pub const DOCUMENT_KIND: &str = "BIÊN BẢN";

/// Vietnam's offset from UTC, in milliseconds.
const VIETNAM_OFFSET_MS: i64 = 7 * 3_600_000;

/// A civil date and time in Vietnam.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
}

/// The civil time in Vietnam of an instant.
pub(crate) fn civil(at: Timestamp) -> Civil {
    let local = at.0.saturating_add(VIETNAM_OFFSET_MS);
    let days = local.div_euclid(86_400_000);
    let minutes = local.rem_euclid(86_400_000) / 60_000;
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: u32::try_from(minutes / 60).unwrap_or(0),
        minute: u32::try_from(minutes % 60).unwrap_or(0),
    }
}

/// An instant as `dd/mm/yyyy hh:mm (UTC+7)`, in Vietnam's time: for notices, where a
/// reader abroad must not guess the zone.
pub fn vietnam_date_time(at: Timestamp) -> String {
    let civil = civil(at);
    format!(
        "{:02}/{:02}/{} {:02}:{:02} (UTC+7)",
        civil.day, civil.month, civil.year, civil.hour, civil.minute
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic Gregorian
/// date.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// "ngày 28 tháng 11 năm 2026".
pub(crate) fn date_words(at: Timestamp) -> String {
    let c = civil(at);
    format!("ngày {:02} tháng {:02} năm {}", c.day, c.month, c.year)
}

/// "08 giờ 30 phút, ngày 28 tháng 11 năm 2026".
pub(crate) fn moment_words(at: Timestamp) -> String {
    let c = civil(at);
    format!("{:02} giờ {:02} phút, {}", c.hour, c.minute, date_words(at))
}

/// "2026-11-28T08:30+07:00".
pub(crate) fn moment_iso(at: Timestamp) -> String {
    let c = civil(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}+07:00",
        c.year, c.month, c.day, c.hour, c.minute
    )
}

/// "28/11/2026".
pub(crate) fn short_date(at: Timestamp) -> String {
    let c = civil(at);
    format!("{:02}/{:02}/{}", c.day, c.month, c.year)
}

/// A percentage with two decimals and a decimal comma: "62,50%"; `None` for an empty
/// base.
pub(crate) fn percent(part: u64, whole: u64) -> Option<String> {
    if whole == 0 {
        return None;
    }
    let hundredths = (u128::from(part) * 10_000 + u128::from(whole) / 2) / u128::from(whole);
    Some(format!("{},{:02}%", hundredths / 100, hundredths % 100))
}

fn ratio_words(ratio: Ratio) -> String {
    match (ratio.numerator, ratio.denominator) {
        (1, 2) => "một nửa (1/2)".to_owned(),
        (2, 3) => "hai phần ba (2/3)".to_owned(),
        (3, 4) => "ba phần tư (3/4)".to_owned(),
        (n, d) if n == d => "toàn bộ".to_owned(),
        (n, d) => format!("{n}/{d}"),
    }
}

/// "quá một nửa (1/2)", "từ hai phần ba (2/3) trở lên".
pub(crate) fn threshold_words(threshold: Threshold) -> String {
    match threshold {
        Threshold::MoreThan(ratio) if (ratio.numerator, ratio.denominator) == (1, 2) => {
            "quá nửa (trên 1/2)".to_owned()
        }
        Threshold::MoreThan(ratio) => format!("trên {}", ratio_words(ratio)),
        Threshold::AtLeast(ratio) => format!("từ {} trở lên", ratio_words(ratio)),
    }
}

/// What a majority is measured against, in words.
pub(crate) fn base_words(rule: &MajorityRule) -> String {
    match rule.base {
        MajorityBase::VotesCast => match rule.abstentions {
            Abstentions::Excluded => {
                "tổng số phiếu biểu quyết, không tính phiếu không biểu quyết".to_owned()
            }
            Abstentions::Counted => {
                "tổng số phiếu biểu quyết, kể cả phiếu không biểu quyết".to_owned()
            }
        },
        MajorityBase::MembersPresent => "tổng số đại biểu có mặt".to_owned(),
        MajorityBase::AllMembers => "tổng số đại biểu có quyền biểu quyết".to_owned(),
        MajorityBase::Stated { members } => format!("{members} đại biểu (số theo quy định)"),
    }
}

/// A majority rule as one sentence: "Thông qua khi số phiếu tán thành đạt quá nửa
/// (trên 1/2) tổng số đại biểu có quyền biểu quyết."
pub(crate) fn majority_words(rule: &MajorityRule, motion: bool) -> String {
    let subject = if motion {
        "Thông qua khi số phiếu tán thành đạt"
    } else {
        "Phương án (ứng cử viên) được chọn khi số phiếu đạt"
    };
    format!(
        "{subject} {} {}.",
        threshold_words(rule.threshold),
        base_words(rule)
    )
}

/// A request for the floor, in words.
pub(crate) fn floor_kind_words(kind: FloorKind) -> &'static str {
    match kind {
        FloorKind::Speech => "Phát biểu",
        FloorKind::Interpellation => "Chất vấn",
        FloorKind::PointOfOrder => "Ý kiến về thủ tục",
    }
}

/// The labels of yes/no/abstain, in option order.
pub(crate) const MOTION_OPTIONS: [&str; 3] = ["Tán thành", "Không tán thành", "Không biểu quyết"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_in_vietnam_time() {
        // 2026-11-28T01:30:00Z is 08:30 in Hà Nội.
        let at = Timestamp(1_795_829_400_000);
        assert_eq!(moment_iso(at), "2026-11-28T08:30+07:00");
        assert_eq!(
            moment_words(at),
            "08 giờ 30 phút, ngày 28 tháng 11 năm 2026"
        );
        assert_eq!(short_date(at), "28/11/2026");
        // Late evening UTC is already the next day in Vietnam.
        let evening = Timestamp(1_795_824_000_000 - 3_600_000);
        assert_eq!(short_date(evening), "28/11/2026");
        assert_eq!(moment_iso(Timestamp(0)), "1970-01-01T07:00+07:00");
    }

    #[test]
    fn percentages_round_half_up_with_a_decimal_comma() {
        assert_eq!(percent(5, 8).as_deref(), Some("62,50%"));
        assert_eq!(percent(2, 3).as_deref(), Some("66,67%"));
        assert_eq!(percent(1, 0), None);
    }

    #[test]
    fn rules_read_as_sentences() {
        assert_eq!(
            majority_words(&MajorityRule::more_than_half_of_all_members(), true),
            "Thông qua khi số phiếu tán thành đạt quá nửa (trên 1/2) tổng số đại biểu có quyền biểu quyết."
        );
        assert_eq!(
            threshold_words(Threshold::TWO_THIRDS),
            "từ hai phần ba (2/3) trở lên"
        );
    }
}
