//! Which company a message is with: the other party's e-mail domain.

use super::message::{Address, MailMessage};

/// The other party's domain, lowercased: the sender's, unless the sender is
/// one of `me` (the person's own addresses, any case, `+tag`s ignored); then the first To or
/// Cc recipient who is not. `None` when everyone on the message is `me`.
pub fn vendor_domain(message: &MailMessage, me: &[String]) -> Option<String> {
    let mine: Vec<String> = me
        .iter()
        .map(|a| without_tag(&a.trim().to_lowercase()))
        .collect();
    let is_mine = |a: &Address| mine.contains(&without_tag(&a.email));
    message
        .participants()
        .filter(|a| !is_mine(a))
        .find_map(Address::domain)
        .map(str::to_lowercase)
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

/// The person's own address, when they did not say it: the one address on every message
/// (sender, To or Cc, `+tag`s ignored) — of several, the one that received the most of
/// them, as one's own mailbox mostly holds mail received. `None` when no address is on
/// every message, or when two tie: the person must then say which addresses are theirs.
pub fn infer_me(messages: &[MailMessage]) -> Option<String> {
    use std::collections::BTreeMap;
    // Address → (messages it is on, messages it received).
    let mut seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for m in messages {
        let mut on: Vec<(String, bool)> = m
            .participants()
            .enumerate()
            .map(|(i, a)| (without_tag(&a.email), i > 0))
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
    let mut everywhere: Vec<(String, usize)> = seen
        .into_iter()
        .filter(|(_, (on, _))| *on == messages.len())
        .map(|(a, (_, received))| (a, received))
        .collect();
    everywhere.sort_by_key(|e| std::cmp::Reverse(e.1));
    match everywhere.as_slice() {
        [(only, _)] => Some(only.clone()),
        [(first, r1), (_, r2), ..] if r1 > r2 => Some(first.clone()),
        _ => None,
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
    fn of_two_on_every_message_the_person_received_more() {
        let thread = [
            mail("help@shop.example", "jane@mail.example"),
            mail("jane@mail.example", "help@shop.example"),
            mail("help@shop.example", "jane@mail.example"),
        ];
        assert_eq!(infer_me(&thread).as_deref(), Some("jane@mail.example"));
        // One message each way: nobody can tell.
        assert_eq!(infer_me(&thread[..2]), None);
        // A lone message received: its recipient.
        assert_eq!(infer_me(&thread[..1]).as_deref(), Some("jane@mail.example"));
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
