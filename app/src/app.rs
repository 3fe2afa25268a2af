//! The root component and its routes.

use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::components::layout::AdminLayout;
use crate::components::toast::{ToastViewport, provide_toasts};
use crate::pages::account::AccountPage;
use crate::pages::admins::AdminsPage;
use crate::pages::campaigns::{CampaignPage, CampaignsPage, NewCampaignPage};
use crate::pages::contacts::import::ImportPage;
use crate::pages::contacts::import_progress::ImportProgressPage;
use crate::pages::contacts::{ContactPage, ContactsPage, ListsPage};
use crate::pages::deliverability::blocklists::BlocklistsPage;
use crate::pages::deliverability::certificates::CertificatesPage;
use crate::pages::deliverability::domain_dns::DomainDnsPage;
use crate::pages::mail::aliases::AliasesPage;
use crate::pages::mail::domains::DomainsPage;
use crate::pages::mail::mailboxes::MailboxesPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::overview::OverviewPage;
use crate::pages::segments::{SegmentEditPage, SegmentsPage};
use crate::pages::sending::SendingPage;
use crate::pages::setup::SetupPage;
use crate::pages::sign_in::SignInPage;
use crate::pages::suppression::SuppressionPage;
use crate::pages::templates::TemplatesPage;
use crate::pages::templates::edit_page::TemplateEditPage;

/// The whole admin UI. Which pages a visitor may see is decided by the server before
/// rendering (set-up only before the first admin exists, everything else after sign-in).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_toasts();
    // Lets tests and the hydration timing know the page is interactive.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        }
    });
    view! {
        <Title text="BillionMail" />
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/setup") view=SetupPage />
                <Route path=path!("/sign-in") view=SignInPage />
                <ParentRoute path=path!("") view=AdminLayout>
                    <Route path=path!("") view=OverviewPage />
                    <Route path=path!("campaigns") view=CampaignsPage />
                    <Route path=path!("campaigns/new") view=NewCampaignPage />
                    <Route path=path!("campaigns/:id") view=CampaignPage />
                    <Route path=path!("contacts") view=ContactsPage />
                    <Route path=path!("contacts/import") view=ImportPage />
                    <Route path=path!("contacts/import/:id") view=ImportProgressPage />
                    <Route path=path!("contacts/:id") view=ContactPage />
                    <Route path=path!("lists") view=ListsPage />
                    <Route path=path!("segments") view=SegmentsPage />
                    <Route path=path!("segments/new") view=SegmentEditPage />
                    <Route path=path!("segments/:id") view=SegmentEditPage />
                    <Route path=path!("suppression") view=SuppressionPage />
                    <Route path=path!("templates") view=TemplatesPage />
                    <Route path=path!("templates/:id") view=TemplateEditPage />
                    <Route path=path!("domains") view=DomainsPage />
                    <Route path=path!("domains/:name/dns") view=DomainDnsPage />
                    <Route path=path!("mailboxes") view=MailboxesPage />
                    <Route path=path!("aliases") view=AliasesPage />
                    <Route path=path!("sending") view=SendingPage />
                    <Route path=path!("blocklists") view=BlocklistsPage />
                    <Route path=path!("certificates") view=CertificatesPage />
                    <Route path=path!("admins") view=AdminsPage />
                    <Route path=path!("account") view=AccountPage />
                </ParentRoute>
            </Routes>
        </Router>
        <ToastViewport />
    }
}
