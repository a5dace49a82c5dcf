//! Which company a message is with: the other party's e-mail domain.

use super::message::{Address, MailMessage};

/// The other party's domain, lowercased: the sender's, unless the sender is
/// one of `me` (the person's own addresses, any case, `+tag`s ignored); then the first To or
/// Cc recipient who is not. `None` when everyone on the message is `me`.
pub fn vendor_domain(message: &MailMessage, me: &[String]) -> Option<String> {
    message
        .participants()
        .filter(|a| !is_mine(a, me))
        .find_map(Address::domain)
        .map(str::to_lowercase)
}

/// Whether `address` is one of `me` (any case, `+tag`s ignored).
pub fn is_mine(address: &Address, me: &[String]) -> bool {
    let a = without_tag(&address.email.to_lowercase());
    me.iter()
        .any(|m| without_tag(&m.trim().to_lowercase()) == a)
}

/// `jane+shop@mail.example` → `jane@mail.example`.
fn without_tag(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split_once('+').map_or(local, |(base, _)| base);
            format!("{local}@{domain}")
        }
        None => email.to_string(),
    }
}

/// The person's own address, when they did not say it, where the mail leaves no doubt
/// (`+tag`s ignored): the only address on every message, or, of several on every message,
/// the only one that received every one of them (several messages from one vendor). `None`
/// otherwise — a lone message, or a conversation written both ways, could be either side's:
/// the person must then say which addresses are theirs.
pub fn infer_me(messages: &[MailMessage]) -> Option<String> {
    use std::collections::BTreeMap;
    // Address → (messages it is on, messages it received).
    let mut seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for m in messages {
        let mut on: Vec<(String, bool)> = m
            .participants()
            .enumerate()
            .map(|(i, a)| (without_tag(&a.email.to_lowercase()), i > 0))
            .filter(|(a, _)| a.contains('@'))
            .collect();
        // Received wins over sent when one writes to oneself.
        on.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        on.dedup_by(|a, b| a.0 == b.0);
        for (address, received) in on {
            let e = seen.entry(address).or_default();
            e.0 += 1;
            e.1 += usize::from(received);
        }
    }
    let n = messages.len();
    let everywhere: Vec<(String, usize)> = seen
        .into_iter()
        .filter(|(_, (on, _))| *on == n)
        .map(|(a, (_, received))| (a, received))
        .collect();
    match everywhere.as_slice() {
        [(only, _)] => Some(only.clone()),
        _ if n < 2 => None,
        several => {
            let mut all_received = several.iter().filter(|(_, r)| *r == n);
            match (all_received.next(), all_received.next()) {
                (Some((me, _)), None) => Some(me.clone()),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{infer_me, vendor_domain};
    use crate::mail::{parse_eml, MailMessage};

    fn mail(from: &str, to: &str) -> MailMessage {
        let raw = format!("From: {from}\r\nTo: {to}\r\nSubject: s\r\n\r\nhello\r\n");
        parse_eml(raw.as_bytes()).unwrap()
    }

    #[test]
    fn the_person_is_the_one_address_on_every_message() {
        let box_ = [
            mail("help@shop.example", "jane@mail.example"),
            mail("Jane <jane+shops@mail.example>", "orders@other.example"),
            mail("news@third.example", "jane@mail.example"),
        ];
        assert_eq!(infer_me(&box_).as_deref(), Some("jane@mail.example"));
        let me = infer_me(&box_).unwrap();
        assert_eq!(
            vendor_domain(&box_[1], &[me]).as_deref(),
            Some("other.example")
        );
    }

    #[test]
    fn of_two_on_every_message_only_one_that_received_them_all_is_taken() {
        let from_shop = [
            mail("help@shop.example", "jane@mail.example"),
            mail("help@shop.example", "Jane <jane+orders@mail.example>"),
        ];
        assert_eq!(infer_me(&from_shop).as_deref(), Some("jane@mail.example"));
        // A conversation written both ways, whoever wrote more: nobody can tell.
        let both_ways = [
            mail("help@shop.example", "jane@mail.example"),
            mail("jane@mail.example", "help@shop.example"),
            mail("jane@mail.example", "help@shop.example"),
        ];
        assert_eq!(infer_me(&both_ways), None);
        // A lone message, received or sent, could be either side's.
        assert_eq!(infer_me(&from_shop[..1]), None);
        assert_eq!(infer_me(&both_ways[1..2]), None);
        // Her sent mail to several shops: she is the one on every message.
        let sent = [
            mail("jane@mail.example", "help@shop.example"),
            mail("jane@mail.example", "orders@other.example"),
        ];
        assert_eq!(infer_me(&sent).as_deref(), Some("jane@mail.example"));
    }

    #[test]
    fn an_address_is_mine_whatever_its_case_and_tag() {
        let m = mail("Jane <Jane+Shops@Mail.example>", "help@shop.example");
        assert!(super::is_mine(&m.from, &["jane@mail.example".into()]));
        assert!(!super::is_mine(&m.to[0], &["jane@mail.example".into()]));
    }

    #[test]
    fn mail_to_two_of_ones_addresses_names_none() {
        let box_ = [
            mail("help@shop.example", "jane@mail.example"),
            mail("help@other.example", "jane@work.example"),
        ];
        assert_eq!(infer_me(&box_), None);
        assert_eq!(infer_me(&[]), None);
    }
}
