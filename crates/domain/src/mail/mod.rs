//! E-mail import: parse .eml and mbox, group messages into threads.
