//! Importing a roster from CSV: every row checked, errors reported per row and column,
//! and nothing imported unless every row is good. `?dry_run=true` previews: it answers
//! 200 with every row as read and every error (a check that found errors still worked);
//! an import with a bad row is refused (422) with the same rows and errors.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use quorum_domain::meeting::roster::Invitee;
use quorum_domain::rejection::Subject;
use quorum_domain::{GroupId, MeetingCommand, MemberId, Role, UnitId};
use serde::{Deserialize, Serialize};

use super::error::{RowError, RowPreview, RowProblem};
use super::{ApiError, Authenticated, kept_meeting, meeting_id};
use crate::hub::Hub;
use crate::room::CommandOutcome;

/// The columns, in any order; `member` and `name` are required.
pub const COLUMNS: &[&str] = &[
    "member",
    "name",
    "position",
    "unit",
    "unit_name",
    "role",
    "voting_right",
    "weight",
    "groups",
];

#[derive(Deserialize)]
pub(super) struct Options {
    #[serde(default)]
    dry_run: bool,
}

#[derive(Serialize)]
pub(super) struct Imported {
    dry_run: bool,
    /// Who would be (or was) invited: empty if any row is bad.
    invitees: Vec<Invitee>,
    /// Every data row as read, in order.
    rows: Vec<RowPreview>,
    /// What is wrong, by line and column (a dry run only: an import refuses instead).
    errors: Vec<RowError>,
    seq: Option<u64>,
}

/// `POST /api/meetings/{meeting}/roster` with a `text/csv` body.
pub(super) async fn import(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path(meeting): Path<String>,
    Query(options): Query<Options>,
    body: Bytes,
) -> Result<Json<Imported>, ApiError> {
    let meeting = meeting_id(meeting)?;
    let (room, _) = kept_meeting(&hub, &principal, &meeting).await?;
    let Reading { rows, outcome } = read(&body);
    if options.dry_run {
        let (invitees, errors) = match outcome {
            Ok(invitees) => (invitees, Vec::new()),
            Err(errors) => (Vec::new(), errors),
        };
        return Ok(Json(Imported {
            dry_run: true,
            invitees,
            rows,
            errors,
            seq: None,
        }));
    }
    let invitees = outcome.map_err(|errors| ApiError::Rows {
        errors,
        preview: rows.clone(),
    })?;
    let actor = principal.actor().ok_or(ApiError::Forbidden)?;
    let command = MeetingCommand::Invite {
        invitees: invitees.clone(),
        group: None,
    };
    let seq = match room.execute(None, actor, command).await {
        CommandOutcome::Acked { seq, .. } => seq,
        CommandOutcome::Rejected(rejection) => return Err(ApiError::Rejected(rejection)),
        CommandOutcome::Failed(_) => return Err(ApiError::Unavailable),
    };
    Ok(Json(Imported {
        dry_run: false,
        invitees,
        rows,
        errors: Vec::new(),
        seq: Some(seq),
    }))
}

/// A roster as read: every data row, and the invitees or every error found.
#[derive(Debug)]
pub struct Reading {
    /// Every data row, good or bad, as written.
    pub rows: Vec<RowPreview>,
    /// The invitees, if every row is good; otherwise every error.
    pub outcome: Result<Vec<Invitee>, Vec<RowError>>,
}

/// Parses a roster. Every error is collected, not just the first.
pub fn parse(csv_text: &[u8]) -> Result<Vec<Invitee>, Vec<RowError>> {
    read(csv_text).outcome
}

/// Reads a roster: the rows as written, and the invitees or every error.
pub fn read(csv_text: &[u8]) -> Reading {
    let text = csv_text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(csv_text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text);
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let refused = |errors| Reading {
        rows: Vec::new(),
        outcome: Err(errors),
    };
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            return refused(vec![RowError {
                line: 1,
                column: None,
                code: RowProblem::Malformed,
                message: error.to_string(),
            }]);
        }
    };
    let position = |name: &str| headers.iter().position(|header| header == name);
    for header in &headers {
        if !COLUMNS.contains(&header) {
            errors.push(RowError {
                line: 1,
                column: Some(header.to_owned()),
                code: RowProblem::UnknownColumn,
                message: format!("unknown column; expected some of {}", COLUMNS.join(", ")),
            });
        }
    }
    for required in ["member", "name"] {
        if position(required).is_none() {
            errors.push(RowError {
                line: 1,
                column: Some(required.to_owned()),
                code: RowProblem::MissingColumn,
                message: "required column missing".to_owned(),
            });
        }
    }
    if !errors.is_empty() {
        return refused(errors);
    }
    let mut invitees: Vec<Invitee> = Vec::new();
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(error) => {
                errors.push(RowError {
                    line: error.position().map_or(0, csv::Position::line),
                    column: None,
                    code: RowProblem::Malformed,
                    message: error.to_string(),
                });
                continue;
            }
        };
        let line = row.position().map_or(0, csv::Position::line);
        let cell = |name: &str| {
            position(name)
                .and_then(|index| row.get(index))
                .unwrap_or("")
        };
        let role = parse_role(cell("role"));
        rows.push(RowPreview {
            line,
            member: cell("member").to_owned(),
            name: cell("name").to_owned(),
            role,
            role_as_written: cell("role").to_owned(),
        });
        let mut fail = |column: &str, code: RowProblem, message: String| {
            errors.push(RowError {
                line,
                column: Some(column.to_owned()),
                code,
                message,
            });
        };
        let member = MemberId::new(cell("member"));
        if let Err(error) = &member {
            if cell("member").is_empty() {
                fail("member", RowProblem::Required, "required".to_owned());
            } else {
                fail("member", RowProblem::InvalidId, error.to_string());
            }
        }
        let name = cell("name").to_owned();
        if name.is_empty() {
            fail("name", RowProblem::Required, "required".to_owned());
        }
        let unit = match cell("unit") {
            "" => None,
            unit => UnitId::new(unit)
                .map_err(|error| fail("unit", RowProblem::InvalidId, error.to_string()))
                .ok(),
        };
        if role.is_none() {
            fail(
                "role",
                RowProblem::InvalidRole,
                "one of chair, secretary, delegate, guest (or chủ tọa, thư ký, đại biểu, khách mời)"
                    .to_owned(),
            );
        }
        let voting_right = parse_bool(cell("voting_right"), role != Some(Role::Guest));
        if voting_right.is_none() {
            fail(
                "voting_right",
                RowProblem::InvalidYesNo,
                "yes or no (có / không)".to_owned(),
            );
        }
        let weight = match cell("weight") {
            "" => Some(1),
            weight => weight.parse::<u32>().ok().filter(|weight| *weight >= 1),
        };
        if weight.is_none() {
            fail(
                "weight",
                RowProblem::InvalidWeight,
                "a whole number of at least 1".to_owned(),
            );
        }
        let mut groups = Vec::new();
        for group in cell("groups")
            .split(';')
            .map(str::trim)
            .filter(|g| !g.is_empty())
        {
            match GroupId::new(group) {
                Ok(group) => groups.push(group),
                Err(error) => fail("groups", RowProblem::InvalidId, format!("{group}: {error}")),
            }
        }
        if let (Ok(member), Some(role), Some(voting_right), Some(weight)) =
            (member, role, voting_right, weight)
        {
            if invitees.iter().any(|invitee| invitee.member == member) {
                fail(
                    "member",
                    RowProblem::DuplicateMember,
                    format!("{member} appears twice"),
                );
                continue;
            }
            let invitee = Invitee {
                member,
                name,
                position: cell("position").to_owned(),
                unit,
                unit_name: cell("unit_name").to_owned(),
                role,
                voting_right,
                weight,
                groups,
            };
            if let Err(rejection) = invitee.validate() {
                // A field of the invitee is named like the column it came from.
                let column = match &rejection.subject {
                    Some(Subject::Field { field, .. }) if COLUMNS.contains(&field.as_str()) => {
                        Some(field.clone())
                    }
                    _ => None,
                };
                errors.push(RowError {
                    line,
                    column,
                    code: RowProblem::Invalid,
                    message: rejection.to_string(),
                });
                continue;
            }
            invitees.push(invitee);
        }
    }
    if invitees.is_empty() && errors.is_empty() {
        errors.push(RowError {
            line: 2,
            column: None,
            code: RowProblem::Empty,
            message: "the roster has no rows".to_owned(),
        });
    }
    let outcome = if errors.is_empty() {
        Ok(invitees)
    } else {
        Err(errors)
    };
    Reading { rows, outcome }
}

fn parse_role(text: &str) -> Option<Role> {
    match text.to_lowercase().as_str() {
        "" | "delegate" | "đại biểu" | "dai bieu" => Some(Role::Delegate),
        "chair" | "chủ tọa" | "chủ toạ" | "chu toa" => Some(Role::Chair),
        "secretary" | "thư ký" | "thu ky" => Some(Role::Secretary),
        "guest" | "khách mời" | "khach moi" => Some(Role::Guest),
        _ => None,
    }
}

fn parse_bool(text: &str, default: bool) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "" => Some(default),
        "yes" | "true" | "1" | "có" | "co" | "x" => Some(true),
        "no" | "false" | "0" | "không" | "khong" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_roster_parses() {
        let csv = "member,name,position,unit_name,role,voting_right,weight\n\
                   db-01,Nguyễn Văn An,Chủ tịch,UBND tỉnh,chủ tọa,có,1\n\
                   db-02,Trần Thị Bình,Phó Chủ tịch,UBND tỉnh,delegate,,\n\
                   kh-01,Lê Văn Cường,Phóng viên,Báo tỉnh,guest,,\n";
        let invitees = parse(csv.as_bytes()).unwrap();
        assert_eq!(invitees.len(), 3);
        assert_eq!(invitees[0].role, Role::Chair);
        assert!(invitees[1].voting_right);
        assert!(!invitees[2].voting_right, "guests do not vote by default");
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_column() {
        let csv = "member,name,role,weight\n\
                   db 01,An,delegate,1\n\
                   db-02,,boss,0\n\
                   db-03,Cường,delegate,1\n\
                   db-03,Dũng,delegate,1\n";
        let errors = parse(csv.as_bytes()).unwrap_err();
        let found: Vec<(u64, Option<&str>)> = errors
            .iter()
            .map(|error| (error.line, error.column.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (2, Some("member")),
                (3, Some("name")),
                (3, Some("role")),
                (3, Some("weight")),
                (5, Some("member")),
            ]
        );
    }

    #[test]
    fn every_row_is_read_for_the_preview_with_a_code_per_error() {
        let csv = "member,name,role\n\
                   db-01,An,đại biểu\n\
                   db-02,,boss\n\
                   db-01,Cường,guest\n";
        let reading = read(csv.as_bytes());
        let lines: Vec<(u64, &str, Option<Role>, &str)> = reading
            .rows
            .iter()
            .map(|row| {
                (
                    row.line,
                    row.member.as_str(),
                    row.role,
                    row.role_as_written.as_str(),
                )
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                (2, "db-01", Some(Role::Delegate), "đại biểu"),
                (3, "db-02", None, "boss"),
                (4, "db-01", Some(Role::Guest), "guest"),
            ]
        );
        let codes: Vec<(u64, RowProblem)> = reading
            .outcome
            .unwrap_err()
            .iter()
            .map(|error| (error.line, error.code))
            .collect();
        assert_eq!(
            codes,
            vec![
                (3, RowProblem::Required),
                (3, RowProblem::InvalidRole),
                (4, RowProblem::DuplicateMember),
            ]
        );
    }

    #[test]
    fn unknown_columns_are_refused() {
        let errors = parse(b"member,name,email\nx,y,z\n").unwrap_err();
        assert_eq!(errors[0].column.as_deref(), Some("email"));
    }
}
