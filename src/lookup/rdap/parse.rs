//! Reading RDAP objects (RFC 9083): IP networks, autnums, domains and entities; the
//! abuse entities found recursively, their vCard e-mail addresses, and the parent.

use serde_json::Value;

use crate::lookup::contact::{self, Found, Tier};
use crate::sanitize::clip;

/// What relaytrace keeps of an RDAP object.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Object {
    pub handle: Option<String>,
    pub name: Option<String>,
    /// `startAddress - endAddress`, or the CIDRs (`cidr0_cidrs`).
    pub range: Option<String>,
    pub cidr: Option<String>,
    pub country: Option<String>,
    pub kind: Option<String>,
    /// The holder: the registrant entity's `fn`/`org`.
    pub org: Option<String>,
    pub registrar: Option<String>,
    pub parent_handle: Option<String>,
    /// The `rdap-up` (or `up`) link: where the parent network is.
    pub up: Option<String>,
    pub contacts: Vec<Found>,
    /// An RDAP error object (`errorCode`), with its title.
    pub error: Option<(u16, String)>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(|s| clip(s.trim(), 120))
        .filter(|s| !s.is_empty())
}

/// The vCard properties of an entity: (name, params, value).
fn vcard(entity: &Value) -> impl Iterator<Item = (&str, &Value, &Value)> {
    entity
        .get("vcardArray")
        .and_then(|a| a.get(1))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p.get(0)?.as_str()?, p.get(1)?, p.get(3)?)))
}

fn vcard_text(entity: &Value, name: &str) -> Option<String> {
    vcard(entity)
        .find(|(n, _, _)| *n == name)
        .and_then(|(_, _, v)| match v {
            Value::String(s) => Some(clip(s.trim(), 120)),
            Value::Array(a) => a
                .iter()
                .filter_map(Value::as_str)
                .find(|s| !s.is_empty())
                .map(|s| clip(s, 120)),
            _ => None,
        })
}

fn roles(entity: &Value) -> Vec<&str> {
    entity
        .get("roles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn has_type(params: &Value, t: &str) -> bool {
    match params.get("type") {
        Some(Value::String(s)) => s.eq_ignore_ascii_case(t),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .any(|s| s.eq_ignore_ascii_case(t)),
        _ => false,
    }
}

fn entities(v: &Value) -> impl Iterator<Item = &Value> {
    v.get("entities").and_then(Value::as_array).into_iter().flatten()
}

/// Remarks and notices texts of an object.
fn remarks(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["remarks"] {
        for r in v.get(key).and_then(Value::as_array).into_iter().flatten() {
            let title = r.get("title").and_then(Value::as_str).unwrap_or("");
            for d in r
                .get("description")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                out.push(format!("{title}: {d}"));
            }
        }
    }
    out
}

fn walk(v: &Value, depth: usize, out: &mut Vec<Found>) {
    if depth > 8 {
        return;
    }
    for e in entities(v) {
        let r = roles(e);
        let handle = e.get("handle").and_then(Value::as_str).unwrap_or("");
        let emails: Vec<(&Value, &str)> = vcard(e)
            .filter(|(n, _, _)| *n == "email")
            .filter_map(|(_, p, v)| Some((p, v.as_str()?)))
            .collect();
        let typed_abuse = emails.iter().any(|(p, _)| has_type(p, "abuse"));
        let is_abuse = r.contains(&"abuse");
        let individual = vcard_text(e, "kind").is_some_and(|k| k.eq_ignore_ascii_case("individual"));
        for (params, email) in &emails {
            let tier = if is_abuse && (!typed_abuse || has_type(params, "abuse")) {
                Tier::Designated
            } else if has_type(params, "abuse") {
                Tier::Mailbox
            } else if is_abuse {
                continue; // a non-abuse address next to the marked abuse mailbox
            } else if individual {
                Tier::Person // a person's card, not a role's or an organisation's
            } else if r.is_empty() {
                Tier::Unassigned
            } else {
                Tier::Other
            };
            let basis = format!("entity {handle} roles {r:?}");
            if let Some(f) = Found::new(email.trim(), tier, &basis) {
                contact::merge(out, f);
            }
        }
        remark_contacts(e, out);
        walk(e, depth + 1, out);
    }
}

/// Addresses in an object's remarks: about abuse or spam, else any.
fn remark_contacts(v: &Value, out: &mut Vec<Found>) {
    for line in remarks(v) {
        let l = line.to_ascii_lowercase();
        let tier = if l.contains("abuse") || l.contains("spam") {
            Tier::Remark
        } else {
            Tier::Other
        };
        for m in contact::emails_in(&line) {
            if let Some(f) = Found::new(m, tier, &line) {
                contact::merge(out, f);
            }
        }
    }
}

/// The abuse contacts of an RDAP object, ranked: abuse-role entities anywhere in the
/// tree, then addresses in remarks about abuse, then the other entities' addresses.
pub fn abuse_contacts(v: &Value) -> Vec<Found> {
    let mut out = Vec::new();
    walk(v, 0, &mut out);
    remark_contacts(v, &mut out);
    if v.get("objectClassName").and_then(Value::as_str) == Some("domain") {
        // A domain's registrant, admin and tech addresses are not abuse desks.
        out.retain(|f| f.tier <= Tier::Registry);
    }
    contact::rank(&mut out);
    out
}

/// Reads any RDAP object.
pub fn object(v: &Value) -> Object {
    let mut o = Object::default();
    if let Some(code) = v.get("errorCode").and_then(Value::as_u64) {
        o.error = Some((
            u16::try_from(code).unwrap_or(0),
            text(v, "title").unwrap_or_default(),
        ));
        return o;
    }
    o.handle = text(v, "handle");
    o.name = text(v, "name").or_else(|| text(v, "ldhName"));
    o.country = text(v, "country");
    o.kind = text(v, "type");
    o.parent_handle = text(v, "parentHandle");
    if let (Some(a), Some(z)) = (text(v, "startAddress"), text(v, "endAddress")) {
        o.range = Some(format!("{a} - {z}"));
    }
    if let (Some(a), Some(z)) = (
        v.get("startAutnum").and_then(Value::as_u64),
        v.get("endAutnum").and_then(Value::as_u64),
    ) {
        o.range = Some(if a == z {
            format!("AS{a}")
        } else {
            format!("AS{a} - AS{z}")
        });
    }
    o.cidr = v
        .get("cidr0_cidrs")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(|c| {
            let prefix = c.get("v4prefix").or_else(|| c.get("v6prefix"))?.as_str()?;
            Some(format!("{prefix}/{}", c.get("length")?.as_u64()?))
        });
    // The registrant: an organisation's entity before a maintainer or a person
    // (RIPE lists its `mnt-by` objects as "individual" registrants).
    let mut registrants: Vec<(bool, Option<String>)> = Vec::new();
    for e in entities(v) {
        let r = roles(e);
        let name = vcard_text(e, "org").or_else(|| vcard_text(e, "fn"));
        if r.contains(&"registrant") {
            let org = vcard_text(e, "kind").is_some_and(|k| k.eq_ignore_ascii_case("org"));
            registrants.push((org, name.clone()));
        }
        if r.contains(&"registrar") && o.registrar.is_none() {
            o.registrar = name;
        }
    }
    o.org = registrants
        .iter()
        .find(|(org, _)| *org)
        .or(registrants.first())
        .and_then(|(_, n)| n.clone());
    for l in v.get("links").and_then(Value::as_array).into_iter().flatten() {
        let rel = l.get("rel").and_then(Value::as_str).unwrap_or("");
        if matches!(rel, "rdap-up" | "up")
            && let Some(h) = l.get("href").and_then(Value::as_str)
        {
            o.up = Some(h.to_string());
        }
    }
    o.contacts = abuse_contacts(v);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abuse_entity_found_recursively_and_marked_mailbox_preferred() {
        let v = serde_json::json!({
            "handle": "NET-1", "startAddress": "192.0.2.0", "endAddress": "192.0.2.255",
            "parentHandle": "NET-0",
            "entities": [{"roles": ["registrant"], "vcardArray": ["vcard", [["fn", {}, "text", "Example Co"]]],
                "entities": [{"roles": ["abuse"], "vcardArray": ["vcard", [
                    ["email", {}, "text", "noc@isp.test.net"],
                    ["email", {"type": "abuse"}, "text", "abuse@isp.test.net"]]]}]},
                {"roles": ["technical"], "vcardArray": ["vcard", [["email", {}, "text", "tech@isp.test.net"]]]}],
            "links": [{"rel": "rdap-up", "href": "https://rdap.example/ip/192.0.0.0/16"}]
        });
        let o = object(&v);
        assert_eq!(o.org.as_deref(), Some("Example Co"));
        assert_eq!(o.range.as_deref(), Some("192.0.2.0 - 192.0.2.255"));
        assert_eq!(o.up.as_deref(), Some("https://rdap.example/ip/192.0.0.0/16"));
        let emails: Vec<_> = o.contacts.iter().map(|f| (f.email.as_str(), f.tier)).collect();
        assert_eq!(
            emails,
            vec![
                ("abuse@isp.test.net", Tier::Designated),
                ("tech@isp.test.net", Tier::Other)
            ]
        );
    }

    #[test]
    fn error_objects() {
        let o = object(&serde_json::json!({"errorCode": 429, "title": "Too Many Requests"}));
        assert_eq!(o.error, Some((429, "Too Many Requests".into())));
    }
}
