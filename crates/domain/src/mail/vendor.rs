//! Which company a message is with: the other party's e-mail domain.

use super::message::{Address, MailMessage};

/// The other party's domain, lowercased: the sender's, unless the sender is
/// one of `me` (the person's own addresses, any case); then the first To or
/// Cc recipient who is not. `None` when everyone on the message is `me`.
pub fn vendor_domain(message: &MailMessage, me: &[String]) -> Option<String> {
    let mine: Vec<String> = me.iter().map(|a| a.trim().to_lowercase()).collect();
    let is_mine = |a: &Address| mine.contains(&a.email);
    message
        .participants()
        .filter(|a| !is_mine(a))
        .find_map(Address::domain)
        .map(str::to_lowercase)
}
