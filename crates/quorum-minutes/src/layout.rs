//! The minutes as a page layout of Decree 30/2020/NĐ-CP, shared by the DOCX, PDF and
//! HTML renderers: the two-column header, the title, numbered sections of paragraphs
//! and the signature block. One layout, so that every format says the same.

use crate::minutes::{Item, Minutes, Person, PollMinutes};
use crate::words::{self, DOCUMENT_KIND, MOTTO, NATIONAL_TITLE};

/// Body text size, in points.
pub(crate) const BODY_PT: f32 = 13.0;

/// How a line is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Center,
    Justify,
}

/// One paragraph.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub(crate) text: String,
    pub(crate) bold: bool,
    pub(crate) italic: bool,
    pub(crate) align: Align,
    pub(crate) size: f32,
    /// Indentation, in levels of 10 mm.
    pub(crate) indent: u8,
    /// Space before, in points.
    pub(crate) space_before: f32,
}

impl Line {
    fn new(text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            bold: false,
            italic: false,
            align: Align::Justify,
            size: BODY_PT,
            indent: 0,
            space_before: 0.0,
        }
    }
    fn bold(mut self) -> Line {
        self.bold = true;
        self
    }
    fn italic(mut self) -> Line {
        self.italic = true;
        self
    }
    fn center(mut self) -> Line {
        self.align = Align::Center;
        self
    }
    fn size(mut self, size: f32) -> Line {
        self.size = size;
        self
    }
    fn indent(mut self, levels: u8) -> Line {
        self.indent = levels;
        self
    }
    fn before(mut self, points: f32) -> Line {
        self.space_before = points;
        self
    }
}

/// A block of the page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// A paragraph across the text width.
    Para(Line),
    /// Two columns side by side: the header and the signatures. `split` is the left
    /// column's share of the text width.
    Columns {
        left: Vec<Line>,
        right: Vec<Line>,
        split: f32,
    },
}

/// The minutes laid out.
pub(crate) fn layout(minutes: &Minutes) -> Vec<Block> {
    let mut page = Page::default();
    let body = if minutes.issuing_body.trim().is_empty() {
        "CƠ QUAN, TỔ CHỨC".to_owned()
    } else {
        minutes.issuing_body.to_uppercase()
    };
    let place = if minutes.location.trim().is_empty() {
        String::new()
    } else {
        format!("{}, ", minutes.location)
    };
    let date = minutes.opened_at.as_ref().unwrap_or(&minutes.scheduled_at);
    let date = words::date_words(quorum_domain::Timestamp(date.unix_ms));
    page.blocks.push(Block::Columns {
        left: vec![
            Line::new(body).bold().center().size(12.0),
            Line::new("Số: ....../BB").center(),
        ],
        right: vec![
            Line::new(NATIONAL_TITLE).bold().center().size(12.0),
            Line::new(MOTTO).bold().center(),
            Line::new(format!("{place}{date}"))
                .italic()
                .center()
                .before(6.0),
        ],
        split: 0.4,
    });
    page.push(
        Line::new(DOCUMENT_KIND)
            .bold()
            .center()
            .size(14.0)
            .before(18.0),
    );
    page.push(Line::new(minutes.title.clone()).bold().center());
    if minutes.urgent {
        page.push(Line::new("(Cuộc họp khẩn)").italic().center());
    }

    page.section("I. THỜI GIAN, ĐỊA ĐIỂM");
    let start = minutes.opened_at.as_ref().unwrap_or(&minutes.scheduled_at);
    page.push(Line::new(format!("Thời gian bắt đầu: {}.", start.words)));
    page.push(Line::new(format!("Địa điểm: {}.", minutes.location)));

    page.section("II. THÀNH PHẦN THAM DỰ");
    if let Some(chair) = &minutes.chair {
        page.push(Line::new(format!("Chủ tọa: {}.", described(chair))));
    }
    if let Some(secretary) = &minutes.secretary {
        page.push(Line::new(format!("Thư ký: {}.", described(secretary))));
    }
    let attendance = &minutes.attendance;
    page.push(Line::new(format!(
        "Số người được mời: {}; số đại biểu có quyền biểu quyết: {}.",
        attendance.invited, attendance.voting_members
    )));
    page.people("Có mặt tại hội trường", &attendance.in_room);
    page.people("Tham dự trực tuyến", &attendance.remote);
    if !attendance.proxies.is_empty() {
        let list: Vec<String> = attendance
            .proxies
            .iter()
            .map(|proxy| format!("{} (ủy quyền cho {})", proxy.seat.name, proxy.holder.name))
            .collect();
        page.push(Line::new(format!(
            "Vắng mặt có ủy quyền ({}): {}.",
            list.len(),
            list.join("; ")
        )));
    }
    page.people("Vắng mặt", &attendance.absent);
    page.people("Khách mời", &attendance.guests);
    page.push(Line::new(format!("Túc số: {}", attendance.quorum.words)));

    page.section("III. NỘI DUNG CUỘC HỌP");
    for item in minutes.items.iter().chain(minutes.other.as_ref()) {
        page.item(item);
    }

    page.section("IV. KẾT THÚC CUỘC HỌP");
    match &minutes.closed_at {
        Some(closed) => page.push(Line::new(format!(
            "Cuộc họp kết thúc lúc {}.",
            closed.words
        ))),
        None => page.push(Line::new("Cuộc họp chưa kết thúc khi lập biên bản.")),
    }
    page.push(Line::new(format!(
        "Biên bản được lập từ nhật ký sự kiện của hệ thống, đến sự kiện số {}, lúc {}.",
        minutes.last_seq, minutes.exported_at.words
    )));
    if let Some(audit) = &minutes.audit {
        page.push(Line::new(format!(
            "Mã băm chuỗi nhật ký (đến sự kiện số {}): {}",
            audit.head_seq, audit.head_hash
        )));
    }
    let signer = |role: &str, person: Option<&Person>| {
        vec![
            Line::new(role).bold().center().before(18.0),
            Line::new("(Ký, ghi rõ họ tên)").italic().center(),
            Line::new(person.map(|p| p.name.clone()).unwrap_or_default())
                .bold()
                .center()
                .before(60.0),
        ]
    };
    page.blocks.push(Block::Columns {
        left: signer("THƯ KÝ", minutes.secretary.as_ref()),
        right: signer("CHỦ TỌA", minutes.chair.as_ref()),
        split: 0.5,
    });
    page.blocks
}

fn described(person: &Person) -> String {
    if person.position.is_empty() {
        person.name.clone()
    } else {
        format!("{}, {}", person.name, person.position)
    }
}

#[derive(Default)]
struct Page {
    blocks: Vec<Block>,
}

impl Page {
    fn push(&mut self, line: Line) {
        self.blocks.push(Block::Para(line));
    }

    fn section(&mut self, title: &str) {
        self.push(Line::new(title).bold().before(12.0));
    }

    fn people(&mut self, label: &str, people: &[Person]) {
        if people.is_empty() {
            return;
        }
        let names: Vec<&str> = people.iter().map(|person| person.name.as_str()).collect();
        self.push(Line::new(format!(
            "{label} ({}): {}.",
            people.len(),
            names.join("; ")
        )));
    }

    fn item(&mut self, item: &Item) {
        let heading = if item.number == 0 {
            item.title.clone()
        } else {
            format!("{}. {}", item.number, item.title)
        };
        self.push(Line::new(heading).bold().before(8.0));
        if !item.description.is_empty() {
            self.push(Line::new(item.description.clone()));
        }
        if !item.documents.is_empty() {
            self.push(Line::new("Tài liệu:").italic());
            for document in &item.documents {
                self.push(Line::new(format!("- {}", document.name)).indent(1));
            }
        }
        if !item.speakers.is_empty() {
            self.push(Line::new("Ý kiến phát biểu:").italic());
            for speaker in &item.speakers {
                let to = speaker
                    .addressed_to
                    .as_ref()
                    .map(|to| format!(" (đối với {to})"))
                    .unwrap_or_default();
                let position = if speaker.person.position.is_empty() {
                    String::new()
                } else {
                    format!(", {}", speaker.person.position)
                };
                self.push(
                    Line::new(format!(
                        "- {}{position} — {}{to}: {}",
                        speaker.person.name, speaker.kind, speaker.topic
                    ))
                    .indent(1),
                );
            }
        }
        for poll in &item.polls {
            self.poll(poll);
        }
        if !item.conclusions.is_empty() {
            self.push(Line::new("Kết luận:").italic());
            for conclusion in &item.conclusions {
                self.push(Line::new(format!("- {}", conclusion.text)).indent(1));
            }
        }
        if !item.directives.is_empty() {
            self.push(Line::new("Chỉ đạo:").italic());
            for directive in &item.directives {
                let due = directive
                    .due
                    .as_ref()
                    .map(|due| {
                        format!(
                            "thời hạn: {}; ",
                            words::short_date(quorum_domain::Timestamp(due.unix_ms))
                        )
                    })
                    .unwrap_or_default();
                self.push(
                    Line::new(format!(
                        "- {}: {} ({due}{})",
                        directive.unit, directive.text, directive.status
                    ))
                    .indent(1),
                );
            }
        }
    }

    fn poll(&mut self, poll: &PollMinutes) {
        let manner = if poll.secret {
            "bỏ phiếu kín"
        } else {
            "biểu quyết công khai"
        };
        let round = if poll.round > 1 {
            format!(", vòng {}", poll.round)
        } else {
            String::new()
        };
        self.push(
            Line::new(format!("Biểu quyết: {} ({manner}{round})", poll.title))
                .bold()
                .before(4.0),
        );
        self.push(Line::new(format!("Nguyên tắc: {}", poll.majority)).indent(1));
        if poll.quorum_overridden {
            self.push(Line::new("Chủ tọa cho mở biểu quyết khi chưa đủ túc số.").indent(1));
        }
        self.push(
            Line::new(format!(
                "Số đại biểu đã bỏ phiếu: {}/{}; số phiếu được kiểm: {}; tình trạng: {}.",
                poll.voted, poll.entitled, poll.ballots, poll.status
            ))
            .indent(1),
        );
        let several = poll.questions.len() > 1;
        for (index, question) in poll.questions.iter().enumerate() {
            if several || (!question.text.is_empty() && question.text != poll.title) {
                self.push(Line::new(format!("Câu {}: {}", index + 1, question.text)).indent(1));
            }
            for count in question.options.iter().chain(question.blank.as_ref()) {
                let weight = if count.weight == count.ballots {
                    String::new()
                } else {
                    format!(", trọng số {}", count.weight)
                };
                let share = count
                    .percent
                    .as_ref()
                    .map(|share| format!(", tỷ lệ {share}"))
                    .unwrap_or_default();
                self.push(
                    Line::new(format!(
                        "- {}: {} phiếu{weight}{share}",
                        count.label, count.ballots
                    ))
                    .indent(2),
                );
            }
            self.push(
                Line::new(format!(
                    "Cơ sở tính tỷ lệ: {} ({}).",
                    question.base, question.base_words
                ))
                .indent(1),
            );
            self.push(
                Line::new(format!("Kết quả: {}", question.verdict.words))
                    .bold()
                    .indent(1),
            );
        }
        if let Some(votes) = &poll.votes {
            self.push(
                Line::new("Kết quả biểu quyết của từng đại biểu:")
                    .italic()
                    .indent(1),
            );
            for vote in votes {
                let proxy = vote
                    .cast_by
                    .as_ref()
                    .map(|holder| format!(" (do {holder} bỏ phiếu theo ủy quyền)"))
                    .unwrap_or_default();
                let answers = if vote.answers.is_empty() {
                    "đã biểu quyết".to_owned()
                } else {
                    vote.answers.join("; ")
                };
                self.push(Line::new(format!("- {}: {answers}{proxy}", vote.seat)).indent(2));
            }
        }
        if poll.secret {
            self.push(
                Line::new("Bỏ phiếu kín: biên bản không ghi người nào bỏ phiếu thế nào.")
                    .italic()
                    .indent(1),
            );
            if let Some(receipts) = &poll.receipts {
                self.push(
                    Line::new(format!(
                        "Mã biên nhận các phiếu ({}): {}.",
                        receipts.len(),
                        receipts.join("; ")
                    ))
                    .indent(1),
                );
            }
        }
    }
}
