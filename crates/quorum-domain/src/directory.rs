//! The member directory: units (organisations that nest, province → district → commune
//! → cell), members with their unit and contact, and groups of members. Meetings invite
//! from it; a meeting keeps its own copy of each invitee's name and unit.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::{GroupId, MemberId, UnitId};
use crate::meeting::roster::Invitee;
use crate::policy::{Actor, Role};
use crate::rejection::{Entity, Rejection, RejectionCode};
use crate::text;

/// Deepest nesting of units.
pub const MAX_UNIT_DEPTH: usize = 16;
/// Most members in one group.
pub const MAX_GROUP_MEMBERS: usize = 100_000;

/// A unit or organisation ("đơn vị"): a province, a department, a commune, a party cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Unit {
    /// The unit.
    pub id: UnitId,
    /// Its name.
    pub name: String,
    /// The unit it belongs to.
    pub parent: Option<UnitId>,
}

/// How to reach a member.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Contact {
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}

/// A person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Member {
    /// The member.
    pub id: MemberId,
    /// Full name.
    pub name: String,
    /// Position (chức vụ).
    pub position: String,
    /// Their unit.
    pub unit: Option<UnitId>,
    /// How to reach them.
    pub contact: Contact,
}

/// A group of members: a council, a standing committee, a party cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Group {
    /// The group.
    pub id: GroupId,
    /// Its name.
    pub name: String,
    /// The unit it belongs to.
    pub unit: Option<UnitId>,
    /// Its members.
    pub members: BTreeSet<MemberId>,
}

/// A change to the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DirectoryCommand {
    /// Creates or replaces a unit.
    SaveUnit {
        /// The unit.
        unit: Unit,
    },
    /// Creates or replaces a member.
    SaveMember {
        /// The member.
        member: Member,
    },
    /// Creates or replaces a group with its members.
    SaveGroup {
        /// The group.
        group: Group,
    },
}

/// A change that happened to the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DirectoryEvent {
    /// A unit was saved.
    UnitSaved {
        /// The unit.
        unit: Unit,
    },
    /// A member was saved.
    MemberSaved {
        /// The member.
        member: Member,
    },
    /// A group was saved.
    GroupSaved {
        /// The group.
        group: Group,
    },
}

/// The terms on which a group's members are invited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    /// Role in the meeting.
    pub role: Role,
    /// Whether they may vote.
    pub voting_right: bool,
    /// Their weight.
    pub weight: u32,
}

/// The directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Directory {
    /// Units by id.
    pub units: BTreeMap<UnitId, Unit>,
    /// Members by id.
    pub members: BTreeMap<MemberId, Member>,
    /// Groups by id.
    pub groups: BTreeMap<GroupId, Group>,
}

impl Directory {
    /// Decides a change. Only administrators edit the directory.
    pub fn decide(
        &self,
        actor: &Actor,
        command: &DirectoryCommand,
    ) -> Result<Vec<DirectoryEvent>, Rejection> {
        if !matches!(actor, Actor::Admin) {
            return Err(RejectionCode::NotPermitted.into());
        }
        let event = match command {
            DirectoryCommand::SaveUnit { unit } => {
                text::required_line("unit.name", &unit.name, text::NAME_MAX)?;
                self.check_parent(unit)?;
                DirectoryEvent::UnitSaved { unit: unit.clone() }
            }
            DirectoryCommand::SaveMember { member } => {
                text::required_line("member.name", &member.name, text::NAME_MAX)?;
                text::line("member.position", &member.position, text::NAME_MAX)?;
                for contact in [&member.contact.email, &member.contact.phone]
                    .into_iter()
                    .flatten()
                {
                    text::required_line("member.contact", contact, 255)?;
                }
                self.known_unit(member.unit.as_ref())?;
                DirectoryEvent::MemberSaved {
                    member: member.clone(),
                }
            }
            DirectoryCommand::SaveGroup { group } => {
                text::required_line("group.name", &group.name, text::NAME_MAX)?;
                self.known_unit(group.unit.as_ref())?;
                if group.members.len() > MAX_GROUP_MEMBERS {
                    return Err(Rejection::invalid("group.members", "too many members"));
                }
                if let Some(unknown) = group
                    .members
                    .iter()
                    .find(|member| !self.members.contains_key(*member))
                {
                    return Err(Rejection::unknown(Entity::Member, unknown));
                }
                DirectoryEvent::GroupSaved {
                    group: group.clone(),
                }
            }
        };
        Ok(vec![event])
    }

    /// Applies a change.
    pub fn apply(&mut self, event: &DirectoryEvent) {
        match event {
            DirectoryEvent::UnitSaved { unit } => {
                self.units.insert(unit.id.clone(), unit.clone());
            }
            DirectoryEvent::MemberSaved { member } => {
                self.members.insert(member.id.clone(), member.clone());
            }
            DirectoryEvent::GroupSaved { group } => {
                self.groups.insert(group.id.clone(), group.clone());
            }
        }
    }

    /// The invitation of one member on `terms`, with their groups and unit name.
    pub fn invitee(&self, member: &MemberId, terms: Terms) -> Result<Invitee, Rejection> {
        let entry = self
            .members
            .get(member)
            .ok_or_else(|| Rejection::unknown(Entity::Member, member))?;
        let unit_name = entry
            .unit
            .as_ref()
            .and_then(|unit| self.units.get(unit))
            .map(|unit| unit.name.clone())
            .unwrap_or_default();
        Ok(Invitee {
            member: entry.id.clone(),
            name: entry.name.clone(),
            position: entry.position.clone(),
            unit: entry.unit.clone(),
            unit_name,
            role: terms.role,
            voting_right: terms.voting_right,
            weight: terms.weight,
            groups: self
                .groups
                .values()
                .filter(|group| group.members.contains(member))
                .map(|group| group.id.clone())
                .collect(),
        })
    }

    /// The invitations of every member of a group on `terms`.
    pub fn group_invitees(&self, group: &GroupId, terms: Terms) -> Result<Vec<Invitee>, Rejection> {
        let entry = self
            .groups
            .get(group)
            .ok_or_else(|| Rejection::unknown(Entity::Group, group))?;
        entry
            .members
            .iter()
            .map(|member| self.invitee(member, terms))
            .collect()
    }

    /// The unit and every unit above it, nearest first.
    pub fn ancestry(&self, unit: &UnitId) -> Vec<&Unit> {
        let mut chain = Vec::new();
        let mut next = self.units.get(unit);
        while let Some(current) = next {
            if chain.len() > MAX_UNIT_DEPTH {
                break;
            }
            chain.push(current);
            next = current
                .parent
                .as_ref()
                .and_then(|parent| self.units.get(parent));
        }
        chain
    }

    fn known_unit(&self, unit: Option<&UnitId>) -> Result<(), Rejection> {
        match unit {
            Some(unit) if !self.units.contains_key(unit) => {
                Err(Rejection::unknown(Entity::Unit, unit))
            }
            _ => Ok(()),
        }
    }

    /// The parent must exist, and the unit must not end up inside itself.
    fn check_parent(&self, unit: &Unit) -> Result<(), Rejection> {
        let Some(parent) = &unit.parent else {
            return Ok(());
        };
        self.known_unit(Some(parent))?;
        let above = self.ancestry(parent);
        if above.iter().any(|ancestor| ancestor.id == unit.id) {
            return Err(RejectionCode::UnitCycle.into());
        }
        if above.len() >= MAX_UNIT_DEPTH {
            return Err(Rejection::invalid("unit.parent", "units nest too deep"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, parent: Option<&str>) -> DirectoryCommand {
        DirectoryCommand::SaveUnit {
            unit: Unit {
                id: UnitId::new(id).unwrap(),
                name: format!("Đơn vị {id}"),
                parent: parent.map(|p| UnitId::new(p).unwrap()),
            },
        }
    }

    fn run(directory: &mut Directory, command: DirectoryCommand) -> Result<(), Rejection> {
        for event in directory.decide(&Actor::Admin, &command)? {
            directory.apply(&event);
        }
        Ok(())
    }

    #[test]
    fn units_nest_without_cycles() {
        let mut directory = Directory::default();
        run(&mut directory, unit("tinh", None)).unwrap();
        run(&mut directory, unit("huyen", Some("tinh"))).unwrap();
        run(&mut directory, unit("xa", Some("huyen"))).unwrap();
        let chain: Vec<&str> = directory
            .ancestry(&UnitId::new("xa").unwrap())
            .iter()
            .map(|u| u.id.as_str())
            .collect();
        assert_eq!(chain, ["xa", "huyen", "tinh"]);
        let cycle = run(&mut directory, unit("tinh", Some("xa")));
        assert_eq!(cycle.map_err(|r| r.code), Err(RejectionCode::UnitCycle));
        let orphan = run(&mut directory, unit("thon", Some("nowhere")));
        assert_eq!(orphan.map_err(|r| r.code), Err(RejectionCode::Unknown));
    }

    #[test]
    fn a_group_is_invited_with_names_units_and_groups() {
        let mut directory = Directory::default();
        run(&mut directory, unit("ubnd", None)).unwrap();
        for (id, name) in [("a", "Nguyễn Văn A"), ("b", "Trần Thị B")] {
            let member = Member {
                id: MemberId::new(id).unwrap(),
                name: name.into(),
                position: "Ủy viên".into(),
                unit: Some(UnitId::new("ubnd").unwrap()),
                contact: Contact::default(),
            };
            run(&mut directory, DirectoryCommand::SaveMember { member }).unwrap();
        }
        let group = Group {
            id: GroupId::new("thuong-truc").unwrap(),
            name: "Thường trực".into(),
            unit: None,
            members: ["a", "b"]
                .iter()
                .map(|m| MemberId::new(*m).unwrap())
                .collect(),
        };
        run(&mut directory, DirectoryCommand::SaveGroup { group }).unwrap();
        let terms = Terms {
            role: Role::Delegate,
            voting_right: true,
            weight: 1,
        };
        let invitees = directory
            .group_invitees(&GroupId::new("thuong-truc").unwrap(), terms)
            .unwrap();
        assert_eq!(invitees.len(), 2);
        assert_eq!(invitees[1].name, "Trần Thị B");
        assert_eq!(invitees[1].unit_name, "Đơn vị ubnd");
        assert_eq!(invitees[1].groups, [GroupId::new("thuong-truc").unwrap()]);
    }

    #[test]
    fn only_administrators_edit_the_directory() {
        let member = Actor::Member {
            member: MemberId::new("a").unwrap(),
        };
        let refused = Directory::default().decide(&member, &unit("x", None));
        assert_eq!(
            refused.map_err(|r| r.code),
            Err(RejectionCode::NotPermitted)
        );
    }
}
