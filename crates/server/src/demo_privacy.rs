//! The demo's personal data: vaults, grants (one revoked), reads in the access log,
//! proffered terms, and requests in every state, one of them overdue.

use crate::personal::consent::{self, GrantInput};
use crate::personal::requests::{self, Decision, RequestInput};
use crate::{AppState, Result};
use slingshot_domain::access_request::{Refusal, RequestKind};
use slingshot_domain::consent::{Purpose, Term, TermResponse};
use slingshot_store::{now_us, PrivacySettings, Reader};

const DAY_US: i64 = 86_400 * 1_000_000;

const CANADA_HOLIDAYS: &str = "2026-01-01 # New Year's Day\n2026-04-03 # Good Friday\n2026-05-18 # Victoria Day\n\
2026-07-01 # Canada Day\n2026-09-07 # Labour Day\n2026-10-12 # Thanksgiving\n2026-12-25 # Christmas Day\n\
2026-12-26 # Boxing Day\n2027-01-01 # New Year's Day\n2027-03-26 # Good Friday\n2027-05-24 # Victoria Day\n\
2027-07-01 # Canada Day\n";

const IRELAND_HOLIDAYS: &str = "2026-01-01\n2026-02-02 # St Brigid's Day\n2026-03-17 # St Patrick's Day\n\
2026-04-06 # Easter Monday\n2026-05-04\n2026-06-01\n2026-08-03\n2026-10-26\n2026-12-25\n2026-12-26\n2027-01-01\n";

fn settings(org_id: &str, tz: &str, holidays: &str, jur: &str, site: &str) -> PrivacySettings {
    PrivacySettings {
        org_id: org_id.to_owned(),
        response_days: 30,
        time_zone: tz.to_owned(),
        weekend: "sat,sun".into(),
        holidays: holidays.to_owned(),
        observe_weekend_holidays: 1,
        jurisdiction: jur.to_owned(),
        policy_url: format!("https://{site}/privacy"),
        contact_email: format!("privacy@{site}"),
        updated_at: 0,
    }
}

async fn field(
    state: &AppState,
    person: &str,
    kind: &str,
    label: &str,
    value: &str,
) -> Result<String> {
    Ok(state
        .store
        .add_profile_field(person, kind, label, value)
        .await?
        .id)
}

fn req(org: &str, kind: RequestKind, body: &str) -> RequestInput {
    RequestInput {
        org: org.into(),
        kind,
        body: Some(body.into()),
        field_ids: Vec::new(),
    }
}

/// Seed after the relationships exist.
pub async fn seed(state: &AppState) -> Result<()> {
    let s = &state.store;
    let alice = s.user_by_handle("alice").await?;
    let bob = s.user_by_handle("bob").await?;
    let carol = s.user_by_handle("carol").await?;
    let erin = s.user_by_handle("erin").await?;
    let nw = s.org_public("northwind-outfitters").await?;
    let kt = s.org_public("kestrel-telecom").await?;
    s.set_privacy_settings(
        &bob.id,
        &settings(
            &nw.id,
            "America/Toronto",
            CANADA_HOLIDAYS,
            "CA-ON",
            "northwind.example",
        ),
    )
    .await?;
    s.set_privacy_settings(
        &erin.id,
        &settings(
            &kt.id,
            "Europe/Dublin",
            IRELAND_HOLIDAYS,
            "IE",
            "kestrel.example",
        ),
    )
    .await?;

    // Vaults.
    let name = field(state, &alice.id, "name", "Full name", "Alice Ng").await?;
    let email = field(
        state,
        &alice.id,
        "email",
        "Personal e-mail",
        "alice@home.example",
    )
    .await?;
    let phone = field(state, &alice.id, "phone", "Mobile", "+1 416 555 0142").await?;
    let home = field(
        state,
        &alice.id,
        "postal-address",
        "Home",
        "12 Harbour St, Toronto ON M5J 1A1",
    )
    .await?;
    field(state, &alice.id, "birthdate", "Birthdate", "1991-04-12").await?;
    field(
        state,
        &alice.id,
        "preference",
        "Contact",
        "E-mail only, no phone calls",
    )
    .await?;
    let bob_name = field(state, &bob.id, "name", "Name", "Bob Okafor").await?;
    let bob_email = field(state, &bob.id, "email", "E-mail", "bob@okafor.example").await?;

    // Grants: delivery and billing to Northwind; marketing granted, then revoked.
    let nw_rel = s.relationship_with_org(&alice.id, &nw.id).await?;
    let kt_rel = s.relationship_with_org(&bob.id, &kt.id).await?;
    let year = now_us() + 365 * DAY_US;
    let grant = |rel: &str, purpose, fields: Vec<String>| GrantInput {
        relationship_id: rel.to_owned(),
        purpose,
        field_ids: fields,
        expires_at: year,
    };
    consent::grant(
        state,
        &alice.id,
        grant(
            &nw_rel.id,
            Purpose::Delivery,
            vec![name.clone(), phone, home],
        ),
    )
    .await?;
    consent::grant(
        state,
        &alice.id,
        grant(
            &nw_rel.id,
            Purpose::Billing,
            vec![name.clone(), email.clone()],
        ),
    )
    .await?;
    let (mkt, _) = consent::grant(
        state,
        &alice.id,
        grant(&nw_rel.id, Purpose::Marketing, vec![email]),
    )
    .await?;
    consent::grant(
        state,
        &bob.id,
        grant(
            &kt_rel.id,
            Purpose::Billing,
            vec![bob_name.clone(), bob_email],
        ),
    )
    .await?;

    // Reads: Northwind's agent ships an order; its warehouse app reads too.
    for (reader, via, purpose) in [
        (&carol, "session", Purpose::Delivery),
        (&carol, "token warehouse-app", Purpose::Delivery),
        (&bob, "session", Purpose::Billing),
        (&bob, "session", Purpose::Marketing),
    ] {
        let r = Reader {
            user_id: &reader.id,
            handle: &reader.handle,
            via,
        };
        s.read_granted_profile(r, &nw.id, &nw_rel.pseudonym, purpose.as_str(), now_us())
            .await?;
    }
    consent::revoke(state, &alice.id, &mkt.id).await?;

    // Terms: accepted, pending, counter-proposed.
    let t =
        crate::personal::terms::proffer(state, &alice.id, &nw.id, Term::NoSaleNoSharing).await?;
    crate::personal::terms::respond(state, &bob.id, &t.id, TermResponse::Accepted).await?;
    crate::personal::terms::proffer(state, &alice.id, &nw.id, Term::NoTracking).await?;
    let t = crate::personal::terms::proffer(state, &bob.id, &kt.id, Term::DeleteOnEnd).await?;
    crate::personal::terms::respond(
        state,
        &erin.id,
        &t.id,
        TermResponse::CounterProposed(Term::ServiceOnly),
    )
    .await?;

    // Requests in every state.
    let now = now_us();
    requests::send(
        state,
        &alice.id,
        req(
            &nw.id,
            RequestKind::Access,
            "Please send me a copy of everything you hold about me, including call notes.",
        ),
    )
    .await?;
    let ext = requests::send_at(
        state,
        &alice.id,
        req(
            &nw.id,
            RequestKind::Portability,
            "I would like my order history in a machine-readable file.",
        ),
        now - 20 * DAY_US,
    )
    .await?;
    requests::extend(
        state,
        &bob.id,
        &ext.id,
        Some("Order history before 2024 is in our old system; we need more time to extract it."),
        Some(15),
    )
    .await?;
    let mut corr = req(
        &nw.id,
        RequestKind::Correction,
        "My mobile number changed; please update it in your records.",
    );
    corr.field_ids = vec![name];
    let w = requests::send(state, &alice.id, corr).await?;
    requests::withdraw(state, &alice.id, &w.id).await?;
    let obj = requests::send_at(
        state,
        &alice.id,
        req(
            &nw.id,
            RequestKind::Objection,
            "Stop using my purchases to profile me for advertising, and stop the catalogue mail.",
        ),
        now - 9 * DAY_US,
    )
    .await?;
    requests::decide(state, &bob.id, &obj.id, Decision::Partial {
        text: Some("We stopped profiling your purchases for advertising.".into()),
        refusal: Refusal::new(
            Some("The printed catalogue goes to every account holder under our loyalty contract until you close the loyalty account."),
            Some("Close the loyalty account from your profile, or complain to the Information and Privacy Commissioner of Ontario."),
        )?,
    }).await?;
    let acc = requests::send_at(
        state,
        &bob.id,
        req(
            &kt.id,
            RequestKind::Access,
            "Send me all data you hold about me, including call recordings.",
        ),
        now - 12 * DAY_US,
    )
    .await?;
    requests::decide(state, &erin.id, &acc.id, Decision::Answer { text: None }).await?;
    let del = requests::send_at(
        state,
        &bob.id,
        req(&kt.id, RequestKind::Deletion, "Delete my account data."),
        now - 25 * DAY_US,
    )
    .await?;
    requests::decide(state, &erin.id, &del.id, Decision::Refuse(Refusal::new(
        Some("Your contract runs until March 2027 and billing records must be kept for six years under the Taxes Consolidation Act 1997."),
        Some("You may complain to the Data Protection Commission (dataprotection.ie)."),
    )?)).await?;
    // Overdue: received 70 days ago, never answered.
    let mut late = req(
        &kt.id,
        RequestKind::Correction,
        "My name is misspelled on my bills: it is Okafor, not Okafur.",
    );
    late.field_ids = vec![bob_name];
    requests::send_at(state, &bob.id, late, now - 70 * DAY_US).await?;
    Ok(())
}
