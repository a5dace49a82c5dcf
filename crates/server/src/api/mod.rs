//! The JSON API under `/api/v1`, documented by OpenAPI 3.1.
//!
//! Routes are added only through `utoipa_axum::routes!`, so a handler without
//! `#[utoipa::path]` does not compile into the API; a test also refuses hand-added
//! axum routes in this folder.

mod accounts;
mod admin;
mod attachments;
mod audit;
mod entries;
pub mod events;
mod grants;
mod invites;
mod ledger_ops;
pub mod ledger_types;
mod mail;
mod members;
mod orgs;
pub mod personal_types;
mod privacy;
pub(crate) mod relationships;
mod requests;
mod search;
mod sessions;
mod terms;
mod threads;
mod tokens;
pub mod types;
mod vault;

pub(crate) use ledger_ops::assigned;
pub(crate) use privacy::{
    check as check_privacy, public_figures, settings_out as privacy_settings_out,
};
pub(crate) use requests::full as requests_full;
pub(crate) use terms::signed as terms_signed;
pub(crate) use threads::thread_out as threads_view;

use crate::error::Problem;
use crate::AppState;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Slingshot API", description = "Vendor Relationship Management: the customer's side, and an honest place to meet vendors."),
    modifiers(&BearerAuth),
    components(schemas(Problem)),
    tags((name = "accounts"), (name = "sessions"), (name = "tokens"), (name = "orgs"), (name = "audit"), (name = "admin"),
        (name = "relationships"), (name = "threads"), (name = "entries"), (name = "ledger"),
        (name = "personal data"), (name = "requests"), (name = "terms"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The API's routes under `/api/v1`, with their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", routes())
}

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(accounts::register))
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::change_password))
        .routes(routes!(sessions::sign_in, sessions::list))
        .routes(routes!(sessions::end))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(orgs::list, orgs::create))
        .routes(routes!(orgs::get))
        .routes(routes!(members::list))
        .routes(routes!(members::set_role, members::remove))
        .routes(routes!(invites::list, invites::create))
        .routes(routes!(invites::revoke))
        .routes(routes!(invites::accept))
        .routes(routes!(audit::mine))
        .routes(routes!(audit::org))
        .routes(routes!(admin::orgs))
        .routes(routes!(admin::verify))
        .routes(routes!(relationships::create, relationships::list))
        .routes(routes!(relationships::get, relationships::update))
        .routes(routes!(relationships::share))
        .routes(routes!(relationships::of_org))
        .routes(routes!(threads::create, threads::list))
        .routes(routes!(threads::get, threads::update))
        .routes(routes!(threads::link))
        .routes(routes!(threads::unlink))
        .routes(routes!(entries::create, entries::thread_timeline))
        .routes(routes!(entries::timeline))
        .routes(routes!(entries::relationship_timeline))
        .routes(routes!(search::search))
        .routes(routes!(search::org_search))
        .routes(routes!(entries::erase))
        .routes(routes!(ledger_ops::export))
        .routes(routes!(ledger_ops::import))
        .routes(routes!(ledger_ops::checkpoint))
        .routes(routes!(ledger_ops::due))
        .routes(routes!(ledger_ops::inbox))
        .routes(routes!(ledger_ops::org_due))
        .routes(routes!(events::events))
        .routes(routes!(mail::import))
        .routes(routes!(attachments::upload))
        .routes(routes!(attachments::download))
        .routes(routes!(vault::list, vault::add))
        .routes(routes!(vault::update, vault::remove))
        .routes(routes!(grants::list, grants::create))
        .routes(routes!(grants::revoke))
        .routes(routes!(grants::consents))
        .routes(routes!(grants::receipt))
        .routes(routes!(grants::access_log))
        .routes(routes!(grants::customer_profile))
        .routes(routes!(grants::instance_jwks))
        .routes(routes!(requests::mine, requests::send))
        .routes(routes!(requests::get))
        .routes(routes!(requests::withdraw))
        .routes(routes!(requests::queue))
        .routes(routes!(requests::extend))
        .routes(routes!(requests::answer))
        .routes(routes!(requests::refuse))
        .routes(routes!(requests::export))
        .routes(routes!(terms::list_terms))
        .routes(routes!(terms::mine, terms::proffer))
        .routes(routes!(terms::of_org))
        .routes(routes!(terms::get))
        .routes(routes!(terms::respond))
        .routes(routes!(privacy::get, privacy::set))
        .routes(routes!(privacy::public))
}

/// Read a raw request body of at most `limit` bytes (else 413 problem+json `too_large`,
/// before anything is stored); uploads larger than the JSON body limit come through here.
pub(crate) async fn read_body(
    body: axum::body::Body,
    limit: usize,
) -> crate::Result<axum::body::Bytes> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| crate::ServerError::PayloadTooLarge(limit))
}
