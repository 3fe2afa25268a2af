//! Inline SVG icons (outline, 24×24, currentColor) so no icon font or request is needed.

use leptos::prelude::*;

fn icon(d: &'static str) -> AnyView {
    view! {
        <svg class="h-5 w-5 shrink-0" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8"
            stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
            <path d=d></path>
        </svg>
    }
    .into_any()
}

/// Overview (gauge).
pub fn gauge() -> AnyView {
    icon("M3 12a9 9 0 1 1 18 0M12 12l4-4M7 16h10")
}

/// Admin accounts (people).
pub fn users() -> AnyView {
    icon(
        "M16 19v-1a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v1M9 10a3 3 0 1 0 0-6 3 3 0 0 0 0 6M22 19v-1a4 4 0 0 0-3-3.9M16 4.1a3 3 0 0 1 0 5.8",
    )
}

/// Dark-mode toggle, shown in light mode.
pub fn moon() -> AnyView {
    icon("M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z")
}

/// Dark-mode toggle, shown in dark mode.
pub fn sun() -> AnyView {
    icon(
        "M12 4V2M12 22v-2M4.9 4.9 3.5 3.5M20.5 20.5l-1.4-1.4M4 12H2M22 12h-2M4.9 19.1l-1.4 1.4M20.5 3.5l-1.4 1.4M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8",
    )
}

/// Mobile menu.
pub fn menu() -> AnyView {
    icon("M4 6h16M4 12h16M4 18h16")
}

/// Sign-out.
pub fn sign_out() -> AnyView {
    icon("M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9")
}

/// Password / account.
pub fn key() -> AnyView {
    icon("M15 7a4 4 0 1 1-3.9 4.9L3 20v-3h3v-3h3l1.1-1.1A4 4 0 0 1 15 7zM16 10h.01")
}

/// Empty table.
pub fn inbox() -> AnyView {
    icon(
        "M22 12h-6l-2 3h-4l-2-3H2M5.5 5.1 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.5-6.9A2 2 0 0 0 16.8 4H7.2a2 2 0 0 0-1.7 1.1z",
    )
}

/// Shield (security activity).
pub fn shield() -> AnyView {
    icon("M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z")
}

/// Database.
pub fn database() -> AnyView {
    icon(
        "M12 8c4.4 0 8-1.3 8-3s-3.6-3-8-3-8 1.3-8 3 3.6 3 8 3zM4 5v14c0 1.7 3.6 3 8 3s8-1.3 8-3V5M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3",
    )
}

/// Mail domains (globe).
pub fn globe() -> AnyView {
    icon("M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18M3.6 9h16.8M3.6 15h16.8M12 3a15 15 0 0 1 0 18M12 3a15 15 0 0 0 0 18")
}

/// Mailboxes (envelope).
pub fn envelope() -> AnyView {
    icon("M3 7l9 6 9-6M4 5h16a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1")
}

/// Aliases and forwards (arrows).
pub fn forward() -> AnyView {
    icon("M15 4l5 5-5 5M20 9H9a5 5 0 0 0-5 5v6")
}

/// Contacts (address book).
pub fn contacts() -> AnyView {
    icon("M16 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M10 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8M19 8v6M22 11h-6")
}

/// Lists (stacked lines).
pub fn list() -> AnyView {
    icon("M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01")
}

/// Segments (funnel).
pub fn filter() -> AnyView {
    icon("M22 3H2l8 9.5V19l4 2v-8.5L22 3z")
}

/// Suppression list (blocked).
pub fn ban() -> AnyView {
    icon("M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18M5.6 5.6l12.8 12.8")
}

/// Campaigns (a paper plane: mail going out).
pub fn send() -> AnyView {
    icon("M22 2 11 13M22 2l-7 20-4-9-9-4 20-7z")
}

/// Sending settings (mail leaving through a gate).
pub fn outbound() -> AnyView {
    icon("M3 12h12M11 7l5 5-5 5M20 4v16")
}

/// Templates (a page laid out in blocks).
pub fn layout() -> AnyView {
    icon("M4 3h16a1 1 0 0 1 1 1v16a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zM3 9h18M9 21V9")
}

/// "How is this computed?" (a small i in a circle), sized for text (14 px).
pub fn info() -> AnyView {
    view! {
        <svg class="h-3.5 w-3.5 shrink-0" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"
            stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
            <path d="M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18M12 11v5M12 8h.01"></path>
        </svg>
    }
    .into_any()
}
