//! Importing a roster from CSV: every row checked, errors reported per row and column,
//! and nothing imported unless every row is good. `?dry_run=true` previews.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use quorum_domain::meeting::roster::Invitee;
use quorum_domain::{GroupId, MeetingCommand, MemberId, Role, UnitId};
use serde::{Deserialize, Serialize};

use super::error::RowError;
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
    invitees: Vec<Invitee>,
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
    let invitees = parse(&body).map_err(ApiError::Rows)?;
    if options.dry_run {
        return Ok(Json(Imported {
            dry_run: true,
            invitees,
            seq: None,
        }));
    }
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
        seq: Some(seq),
    }))
}

/// Parses a roster. Every error is collected, not just the first.
pub fn parse(csv_text: &[u8]) -> Result<Vec<Invitee>, Vec<RowError>> {
    let text = csv_text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(csv_text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text);
    let mut errors = Vec::new();
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            return Err(vec![RowError {
                line: 1,
                column: None,
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
                message: format!("unknown column; expected some of {}", COLUMNS.join(", ")),
            });
        }
    }
    for required in ["member", "name"] {
        if position(required).is_none() {
            errors.push(RowError {
                line: 1,
                column: Some(required.to_owned()),
                message: "required column missing".to_owned(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut invitees: Vec<Invitee> = Vec::new();
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(error) => {
                errors.push(RowError {
                    line: error.position().map_or(0, csv::Position::line),
                    column: None,
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
        let mut fail = |column: &str, message: String| {
            errors.push(RowError {
                line,
                column: Some(column.to_owned()),
                message,
            });
        };
        let member = MemberId::new(cell("member"));
        if let Err(error) = &member {
            fail("member", error.to_string());
        }
        let name = cell("name").to_owned();
        if name.is_empty() {
            fail("name", "required".to_owned());
        }
        let unit = match cell("unit") {
            "" => None,
            unit => UnitId::new(unit)
                .map_err(|error| fail("unit", error.to_string()))
                .ok(),
        };
        let role = parse_role(cell("role"));
        if role.is_none() {
            fail(
                "role",
                "one of chair, secretary, delegate, guest (or chủ tọa, thư ký, đại biểu, khách mời)"
                    .to_owned(),
            );
        }
        let voting_right = parse_bool(cell("voting_right"), role != Some(Role::Guest));
        if voting_right.is_none() {
            fail("voting_right", "yes or no (có / không)".to_owned());
        }
        let weight = match cell("weight") {
            "" => Some(1),
            weight => weight.parse::<u32>().ok().filter(|weight| *weight >= 1),
        };
        if weight.is_none() {
            fail("weight", "a whole number of at least 1".to_owned());
        }
        let mut groups = Vec::new();
        for group in cell("groups")
            .split(';')
            .map(str::trim)
            .filter(|g| !g.is_empty())
        {
            match GroupId::new(group) {
                Ok(group) => groups.push(group),
                Err(error) => fail("groups", format!("{group}: {error}")),
            }
        }
        if let (Ok(member), Some(role), Some(voting_right), Some(weight)) =
            (member, role, voting_right, weight)
        {
            if invitees.iter().any(|invitee| invitee.member == member) {
                fail("member", format!("{member} appears twice"));
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
                errors.push(RowError {
                    line,
                    column: None,
                    message: format!("{}: {:?}", rejection.code.english(), rejection.subject),
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
            message: "the roster has no rows".to_owned(),
        });
    }
    if errors.is_empty() {
        Ok(invitees)
    } else {
        Err(errors)
    }
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
    fn unknown_columns_are_refused() {
        let errors = parse(b"member,name,email\nx,y,z\n").unwrap_err();
        assert_eq!(errors[0].column.as_deref(), Some("email"));
    }
}
