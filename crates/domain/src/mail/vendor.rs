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
