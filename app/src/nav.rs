//! The admin's sections: routes and sidebar come from this one list, so a section that
//! does not exist cannot appear in the menu.

use leptos::prelude::AnyView;

use crate::components::icons;

/// A section of the admin with its own page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Overview,
    /// Newsletters and announcements: compose, send, watch them go out.
    Campaigns,
    /// The audience: people who receive campaigns.
    Contacts,
    Lists,
    Segments,
    /// Addresses never sent to.
    Suppression,
    /// Email designs: drag-and-drop documents and pasted HTML.
    Templates,
    Domains,
    Mailboxes,
    Aliases,
    /// How campaign mail leaves: relays, warm-up, provider limits.
    Sending,
    /// Whether the server's addresses and domains are on DNS blocklists.
    Blocklists,
    /// TLS certificates of the admin and mail hosts.
    Certificates,
    Admins,
}

impl Section {
    /// Sidebar order.
    pub const ALL: [Section; 14] = [
        Section::Overview,
        Section::Campaigns,
        Section::Contacts,
        Section::Lists,
        Section::Segments,
        Section::Suppression,
        Section::Templates,
        Section::Domains,
        Section::Mailboxes,
        Section::Aliases,
        Section::Sending,
        Section::Blocklists,
        Section::Certificates,
        Section::Admins,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Self::Overview => "/",
            Self::Campaigns => "/campaigns",
            Self::Contacts => "/contacts",
            Self::Lists => "/lists",
            Self::Segments => "/segments",
            Self::Suppression => "/suppression",
            Self::Templates => "/templates",
            Self::Domains => "/domains",
            Self::Mailboxes => "/mailboxes",
            Self::Aliases => "/aliases",
            Self::Sending => "/sending",
            Self::Blocklists => "/blocklists",
            Self::Certificates => "/certificates",
            Self::Admins => "/admins",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Overview => "Overview",
            Self::Campaigns => "Campaigns",
            Self::Contacts => "Contacts",
            Self::Lists => "Lists",
            Self::Segments => "Segments",
            Self::Suppression => "Suppression",
            Self::Templates => "Templates",
            Self::Domains => "Domains",
            Self::Mailboxes => "Mailboxes",
            Self::Aliases => "Aliases & forwards",
            Self::Sending => "Sending",
            Self::Blocklists => "Blocklists",
            Self::Certificates => "Certificates",
            Self::Admins => "Admins",
        }
    }

    pub fn icon(self) -> AnyView {
        match self {
            Self::Overview => icons::gauge(),
            Self::Campaigns => icons::send(),
            Self::Contacts => icons::contacts(),
            Self::Lists => icons::list(),
            Self::Segments => icons::filter(),
            Self::Suppression => icons::ban(),
            Self::Templates => icons::layout(),
            Self::Domains => icons::globe(),
            Self::Mailboxes => icons::envelope(),
            Self::Aliases => icons::forward(),
            Self::Sending => icons::outbound(),
            Self::Blocklists => icons::shield(),
            Self::Certificates => icons::key(),
            Self::Admins => icons::users(),
        }
    }

    /// Whether `path` belongs to this section (for the active highlight).
    pub fn owns(self, path: &str) -> bool {
        match self {
            Self::Overview => path == "/",
            other => path == other.path() || path.starts_with(&format!("{}/", other.path())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Section;

    #[test]
    fn only_the_exact_root_is_overview() {
        assert!(Section::Overview.owns("/"));
        assert!(!Section::Overview.owns("/admins"));
        assert!(Section::Admins.owns("/admins"));
        assert!(Section::Admins.owns("/admins/7"));
        assert!(!Section::Admins.owns("/adminsx"));
    }

    #[test]
    fn a_domain_dns_page_belongs_to_domains() {
        assert!(Section::Domains.owns("/domains/example.com/dns"));
        assert!(Section::Blocklists.owns("/blocklists"));
        assert!(!Section::Certificates.owns("/blocklists"));
    }
}
