//! Messages for people, in Vietnamese first and English second, for every rejection and
//! error code. The one place where codes become words.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use quorum_domain::RejectionCode;

use crate::server::ErrorCode;

/// A text in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Localized {
    /// Vietnamese.
    pub vi: String,
    /// English.
    pub en: String,
}

impl Localized {
    fn new(vi: &str, en: &str) -> Localized {
        Localized {
            vi: vi.to_owned(),
            en: en.to_owned(),
        }
    }

    /// Why a meeting refused a command.
    pub fn rejection(code: RejectionCode) -> Localized {
        use RejectionCode as R;
        let vi = match code {
            R::NotPermitted => "Vai trò của bạn không được phép thực hiện thao tác này",
            R::NotAParticipant => "Bạn không phải là thành phần tham dự cuộc họp này",
            R::MeetingNotOpen => "Cuộc họp chưa khai mạc",
            R::MeetingAlreadyOpen => "Cuộc họp đã khai mạc",
            R::MeetingClosed => "Cuộc họp đã bế mạc",
            R::NotUrgent => "Đây không phải là cuộc họp khẩn",
            R::NoAlert => "Cuộc họp này chưa phát thông báo khẩn",
            R::Unknown => "Không tìm thấy đối tượng được yêu cầu",
            R::Duplicate => "Mã định danh này đã được sử dụng",
            R::Invalid => "Dữ liệu không hợp lệ",
            R::PollInProgress => "Đang có biểu quyết diễn ra",
            R::PollNotOpen => "Biểu quyết chưa mở",
            R::PollPaused => "Biểu quyết đang tạm dừng",
            R::PollClosed => "Biểu quyết đã kết thúc",
            R::PollNotDraft => "Biểu quyết không còn ở trạng thái dự thảo",
            R::PollNotClosed => "Biểu quyết chưa kết thúc",
            R::RoundOver => "Vòng biểu quyết này đã kết thúc",
            R::DeadlinePassed => "Đã hết thời gian biểu quyết",
            R::QuorumNotMet => "Cuộc họp chưa đủ túc số",
            R::NotEntitled => "Ghế này không có quyền biểu quyết nội dung này",
            R::NotPresent => "Chỉ đại biểu có mặt mới được biểu quyết",
            R::AlreadyVoted => "Ghế này đã biểu quyết",
            R::ReplacementRequired => "Muốn thay đổi phiếu kín, cần chỉ rõ phiếu được thay thế",
            R::ReplacedBallotUnknown => {
                "Phiếu được thay thế không phải là phiếu hiện tại của ghế này"
            }
            R::SeatDelegated => "Ghế này đã ủy quyền; người được ủy quyền biểu quyết thay",
            R::NotProxyHolder => "Bạn không giữ ủy quyền của ghế này",
            R::BallotIdConflict => "Mã phiếu này đã được dùng cho một phiếu khác",
            R::ChoiceOutOfRange => "Lựa chọn không hợp lệ",
            R::TooManyChoices => "Số lựa chọn vượt quá mức cho phép",
            R::TooFewChoices => "Chưa chọn đủ số lượng yêu cầu",
            R::DuplicateChoice => "Một phương án bị chọn hai lần",
            R::AnswerCountMismatch => "Phiếu phải trả lời mỗi câu hỏi đúng một lần",
            R::ProxiesNotAllowed => "Cuộc họp này không cho phép ủy quyền",
            R::ProxyConflict => "Ủy quyền này xung đột với một ủy quyền khác",
            R::ProxyLimitReached => "Người nhận đã giữ đủ số ủy quyền cho phép",
            R::NoProxy => "Ghế này chưa ủy quyền",
            R::AgendaOrderInvalid => "Thứ tự phải gồm mỗi nội dung chương trình đúng một lần",
            R::AlreadyRequested => "Bạn đã có một đăng ký cùng loại đang chờ",
            R::RequestNotPending => "Đăng ký này không còn ở trạng thái chờ",
            R::FloorNotHeld => "Hiện không có ai đang phát biểu",
            R::DirectiveTransition => "Không thể chuyển ý kiến chỉ đạo sang trạng thái này",
            R::UnitCycle => "Một đơn vị không thể trực thuộc chính nó",
        };
        Localized::new(vi, code.english())
    }

    /// Why the hub could not serve a message.
    pub fn error(code: ErrorCode) -> Localized {
        use ErrorCode as E;
        let (vi, en) = match code {
            E::BadMessage => ("Thông điệp không hợp lệ", "the message is malformed"),
            E::MessageTooLarge => ("Thông điệp quá lớn", "the message is too large"),
            E::UnsupportedVersion => (
                "Ứng dụng cần được cập nhật để kết nối với hệ thống",
                "no protocol version in common; update the app",
            ),
            E::HelloRequired => (
                "Thiết bị cần chào hỏi (hello) trước",
                "the first message must be hello",
            ),
            E::Unauthenticated => (
                "Phiên đăng nhập không hợp lệ hoặc đã hết hạn; vui lòng đăng nhập lại",
                "the session is invalid or has expired; sign in again",
            ),
            E::Forbidden => (
                "Bạn không có quyền truy cập cuộc họp này",
                "you may not access this meeting",
            ),
            E::MeetingNotFound => ("Không tìm thấy cuộc họp", "no such meeting"),
            E::NotSubscribed => (
                "Thiết bị chưa theo dõi cuộc họp này",
                "this device does not follow the meeting",
            ),
            E::RateLimited => (
                "Thao tác quá nhanh; vui lòng thử lại sau giây lát",
                "too many messages; try again shortly",
            ),
            E::Unavailable => (
                "Hệ thống tạm thời chưa ghi nhận được; thiết bị sẽ tự gửi lại",
                "the hub cannot record this right now; it will be sent again",
            ),
            E::SlowConsumer => (
                "Kết nối quá chậm; thiết bị sẽ tự kết nối lại",
                "the connection fell behind; reconnecting",
            ),
            E::ShuttingDown => (
                "Máy chủ đang khởi động lại; thiết bị sẽ tự kết nối lại",
                "the hub is restarting; reconnecting",
            ),
            E::Internal => ("Lỗi hệ thống", "internal error"),
        };
        Localized::new(vi, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_both_languages() {
        for code in RejectionCode::ALL {
            let text = Localized::rejection(*code);
            assert!(!text.vi.is_empty() && !text.en.is_empty(), "{code}");
            assert_ne!(text.vi, text.en, "{code} is not translated");
        }
        for code in ErrorCode::ALL {
            let text = Localized::error(*code);
            assert!(!text.vi.is_empty() && !text.en.is_empty(), "{code:?}");
        }
    }
}
