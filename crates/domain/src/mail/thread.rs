//! Threading: JWZ's algorithm (<https://www.jwz.org/doc/threading.html>) by
//! Message-ID, In-Reply-To and References, then by subject.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::message::{Address, MailMessage};
use super::subject::is_reply_subject;

/// One conversation found in a set of messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailThread {
    /// The normalized subject of the earliest message that has one.
    pub subject: String,
    /// Indices into the slice given to [`thread_messages`], oldest first
    /// (messages without a date last, in input order).
    pub messages: Vec<usize>,
    /// For each entry of `messages`, the index of the message it replies to,
    /// when that message is in this thread.
    pub parents: Vec<Option<usize>>,
    /// Everyone on the thread (senders, To, Cc), once each, in order of appearance.
    pub participants: Vec<Address>,
}

impl MailThread {
    /// Ids this thread's messages refer to (References, In-Reply-To) that are
    /// not in the thread: look them up among stored messages to attach the
    /// thread to a conversation imported earlier.
    pub fn outside_references(&self, messages: &[MailMessage]) -> Vec<String> {
        let members: Vec<&MailMessage> = self
            .messages
            .iter()
            .filter_map(|i| messages.get(*i))
            .collect();
        let inside: HashSet<&str> = members
            .iter()
            .filter_map(|m| m.message_id.as_deref())
            .collect();
        let mut seen = HashSet::new();
        members
            .iter()
            .flat_map(|m| m.references.iter().chain(m.in_reply_to.iter()))
            .filter(|id| !inside.contains(id.as_str()) && seen.insert(id.as_str()))
            .cloned()
            .collect()
    }
}

/// The id each message is threaded under, one per message and all distinct:
/// its Message-ID; for a message without one, `<raw_digest>@slingshot.invalid`
/// (stable on re-import); for a later copy of an id already taken,
/// `<raw_digest>.<index>.<n>@dup.slingshot.invalid`.
pub fn effective_message_ids(messages: &[MailMessage]) -> Vec<String> {
    let mut seen = HashSet::new();
    messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut id = match &m.message_id {
                Some(id) => id.clone(),
                None => format!("{}@slingshot.invalid", m.raw_digest),
            };
            let mut n = 0usize;
            while !seen.insert(id.clone()) {
                n += 1;
                id = format!("{}.{i}.{n}@dup.slingshot.invalid", m.raw_digest);
            }
            id
        })
        .collect()
}

/// Groups messages into threads.
///
/// Replies are linked by References / In-Reply-To (ids that point nowhere
/// still group the messages that share them; links that would make a cycle
/// are ignored). Then a thread whose first message is a reply (a `Re:`-like
/// subject, or references to messages not present) joins the thread with the
/// same normalized subject that shares a participant, starting before it when
/// one does. Unlike JWZ, two threads that are both non-replies are never merged
/// by subject ("Your order has shipped" each time is a separate thread).
pub fn thread_messages(messages: &[MailMessage]) -> Vec<MailThread> {
    let ids = effective_message_ids(messages);
    let mut table = Containers::default();
    for (i, message) in messages.iter().enumerate() {
        let own = ids.get(i).map(String::as_str).unwrap_or_default();
        table.add(i, own, message);
    }
    let groups = table.root_groups(messages);
    let groups = merge_by_subject(groups, messages);
    let mut threads: Vec<MailThread> = groups
        .into_iter()
        .filter(|g| !g.messages.is_empty())
        .map(|g| build_thread(g.messages, &table, messages))
        .collect();
    threads.sort_by(|a, b| {
        let key = |t: &MailThread| t.messages.first().map(|i| date_key(messages, *i));
        key(a).cmp(&key(b))
    });
    threads
}

#[derive(Default)]
struct Container {
    message: Option<usize>,
    parent: Option<usize>,
    children: Vec<usize>,
}

#[derive(Default)]
struct Containers {
    list: Vec<Container>,
    by_id: HashMap<String, usize>,
    /// The container of message `i`, at `i` (messages are added in order).
    of_message: Vec<usize>,
}

impl Containers {
    fn get(&mut self, id: &str) -> usize {
        if let Some(c) = self.by_id.get(id) {
            return *c;
        }
        let c = self.list.len();
        self.list.push(Container::default());
        self.by_id.insert(id.to_string(), c);
        c
    }

    fn parent(&self, c: usize) -> Option<usize> {
        self.list.get(c).and_then(|x| x.parent)
    }

    /// Whether `ancestor` is `c` or above it.
    fn is_ancestor(&self, ancestor: usize, c: usize) -> bool {
        if ancestor != c
            && self
                .list
                .get(ancestor)
                .is_some_and(|a| a.children.is_empty())
        {
            return false; // a leaf is nobody's ancestor: keeps long chains linear
        }
        let mut cur = Some(c);
        let mut steps = 0;
        while let Some(x) = cur {
            if x == ancestor {
                return true;
            }
            steps += 1;
            if steps > self.list.len() {
                return true; // cannot happen (no cycles are made); treat as a loop
            }
            cur = self.parent(x);
        }
        false
    }

    fn link(&mut self, parent: usize, child: usize) {
        if let Some(old) = self.parent(child) {
            if let Some(p) = self.list.get_mut(old) {
                p.children.retain(|x| *x != child);
            }
        }
        if let Some(c) = self.list.get_mut(child) {
            c.parent = Some(parent);
        }
        if let Some(p) = self.list.get_mut(parent) {
            p.children.push(child);
        }
    }

    /// JWZ step 1: the message's container, its reference chain, its parent.
    fn add(&mut self, index: usize, own_id: &str, message: &MailMessage) {
        let me = self.get(own_id);
        if let Some(c) = self.list.get_mut(me) {
            c.message = Some(index);
        }
        self.of_message.push(me);
        let real_id = message.message_id.as_deref();
        let mut refs: Vec<&str> = message.references.iter().map(String::as_str).collect();
        if let Some(irt) = message.in_reply_to.as_deref() {
            if refs.last() != Some(&irt) {
                refs.push(irt);
            }
        }
        refs.retain(|r| *r != own_id && Some(*r) != real_id);
        let mut prev: Option<usize> = None;
        for r in refs {
            let c = self.get(r);
            if let Some(p) = prev {
                if p != c && self.parent(c).is_none() && !self.is_ancestor(c, p) {
                    self.link(p, c);
                }
            }
            prev = Some(c);
        }
        if let Some(p) = prev {
            if self.parent(me) != Some(p) && !self.is_ancestor(me, p) {
                self.link(p, me);
            }
        }
    }

    /// JWZ steps 2–4: one group per root, with the messages under it.
    fn root_groups(&self, messages: &[MailMessage]) -> Vec<Group> {
        let mut groups = Vec::new();
        for (root, container) in self.list.iter().enumerate() {
            if container.parent.is_some() {
                continue;
            }
            let mut found = Vec::new();
            let mut stack = vec![root];
            while let Some(c) = stack.pop() {
                if let Some(x) = self.list.get(c) {
                    found.extend(x.message);
                    stack.extend(x.children.iter().copied());
                }
            }
            if found.is_empty() {
                continue;
            }
            found.sort_by_key(|i| date_key(messages, *i));
            let replyish = match container.message.and_then(|i| messages.get(i)) {
                None => true,
                Some(m) => m.has_references() || is_reply_subject(&m.subject),
            };
            groups.push(Group::new(found, replyish, messages));
        }
        groups
    }

    /// The nearest ancestor of message `index` that holds a message.
    fn parent_message(&self, index: usize) -> Option<usize> {
        let mut cur = self.of_message.get(index).and_then(|c| self.parent(*c));
        let mut steps = 0;
        while let Some(c) = cur {
            if let Some(m) = self.list.get(c).and_then(|x| x.message) {
                return Some(m);
            }
            steps += 1;
            if steps > self.list.len() {
                return None;
            }
            cur = self.parent(c);
        }
        None
    }
}

/// The messages under one root, before subject merging.
struct Group {
    messages: Vec<usize>,
    replyish: bool,
    key: String,
    start: (bool, String, usize),
    people: HashSet<String>,
}

impl Group {
    fn new(messages: Vec<usize>, replyish: bool, all: &[MailMessage]) -> Group {
        let first = messages.first().and_then(|i| all.get(*i));
        let key = first
            .map(|m| m.normalized_subject.to_lowercase())
            .unwrap_or_default();
        let start = messages.first().map(|i| date_key(all, *i)).unwrap_or((
            true,
            String::new(),
            usize::MAX,
        ));
        let people = messages
            .iter()
            .filter_map(|i| all.get(*i))
            .flat_map(MailMessage::participants)
            .map(|a| a.email.clone())
            .collect();
        Group {
            messages,
            replyish,
            key,
            start,
            people,
        }
    }
}

/// JWZ step 5, restricted: reply-like groups join the matching thread.
fn merge_by_subject(mut groups: Vec<Group>, messages: &[MailMessage]) -> Vec<Group> {
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (g, group) in groups.iter().enumerate() {
        if !group.replyish && !group.key.is_empty() {
            by_key.entry(group.key.clone()).or_default().push(g);
        }
    }
    let mut replies: Vec<usize> = (0..groups.len())
        .filter(|g| {
            groups
                .get(*g)
                .is_some_and(|x| x.replyish && !x.key.is_empty())
        })
        .collect();
    replies.sort_by(|a, b| {
        let start = |g: &usize| groups.get(*g).map(|x| x.start.clone());
        start(a).cmp(&start(b))
    });
    for g in replies {
        let Some(group) = groups.get(g) else { continue };
        let candidates: Vec<usize> = by_key
            .get(&group.key)
            .into_iter()
            .flatten()
            .copied()
            .filter(|c| {
                groups
                    .get(*c)
                    .is_some_and(|x| !x.people.is_disjoint(&group.people))
            })
            .collect();
        let before = candidates
            .iter()
            .copied()
            .filter(|c| groups.get(*c).is_some_and(|x| x.start <= group.start))
            .max_by_key(|c| groups.get(*c).map(|x| x.start.clone()));
        let target = before.or_else(|| {
            candidates
                .iter()
                .copied()
                .min_by_key(|c| groups.get(*c).map(|x| x.start.clone()))
        });
        match target {
            Some(t) => {
                let moved = groups.get_mut(g).map(|x| {
                    (
                        std::mem::take(&mut x.messages),
                        std::mem::take(&mut x.people),
                    )
                });
                if let (Some((msgs, people)), Some(target)) = (moved, groups.get_mut(t)) {
                    target.messages.extend(msgs);
                    target.messages.sort_by_key(|i| date_key(messages, *i));
                    target.people.extend(people);
                }
            }
            None => by_key.entry(group.key.clone()).or_default().push(g),
        }
    }
    groups
}

fn build_thread(messages: Vec<usize>, table: &Containers, all: &[MailMessage]) -> MailThread {
    let members: HashSet<usize> = messages.iter().copied().collect();
    let parents = messages
        .iter()
        .map(|i| table.parent_message(*i).filter(|p| members.contains(p)))
        .collect();
    let subject = messages
        .iter()
        .filter_map(|i| all.get(*i))
        .map(|m| m.normalized_subject.as_str())
        .find(|s| !s.is_empty())
        .unwrap_or_default()
        .to_string();
    let mut participants: Vec<Address> = Vec::new();
    for address in messages
        .iter()
        .filter_map(|i| all.get(*i))
        .flat_map(MailMessage::participants)
    {
        match participants.iter_mut().find(|p| p.email == address.email) {
            Some(known) if known.name.is_none() => known.name.clone_from(&address.name),
            Some(_) => {}
            None => participants.push(address.clone()),
        }
    }
    MailThread {
        subject,
        messages,
        parents,
        participants,
    }
}

/// Sort key: dated messages first by date, then undated, ties by input order.
fn date_key(messages: &[MailMessage], i: usize) -> (bool, String, usize) {
    match messages.get(i).and_then(|m| m.date.clone()) {
        Some(d) => (false, d, i),
        None => (true, String::new(), i),
    }
}
