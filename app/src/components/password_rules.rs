//! The live checklist of password rules under a new-password field.

use leptos::prelude::*;
use model::PasswordProblem;
use model::password::{MIN_LENGTH, PASSPHRASE_LENGTH};

/// One line per rule, ticked as soon as the typed password meets it.
#[component]
pub fn PasswordRules(#[prop(into)] problems: Signal<Vec<PasswordProblem>>) -> impl IntoView {
    let rule = move |text: String, problem: PasswordProblem| {
        let broken = {
            let problem = problem.clone();
            move || problems.with(|p| p.contains(&problem))
        };
        let broken_mark = broken.clone();
        view! {
            <li class=move || {
                if broken() { "text-slate-500 dark:text-slate-400" } else { "text-emerald-600 dark:text-emerald-400" }
            }>
                {move || if broken_mark() { "○ " } else { "✓ " }}
                {text}
            </li>
        }
    };
    view! {
        <ul class="-mt-2 space-y-1 text-xs" aria-label="Password rules">
            {rule(format!("At least {MIN_LENGTH} characters"), PasswordProblem::TooShort)}
            {rule(format!("Three of: lower, upper, digit, symbol — or {PASSPHRASE_LENGTH}+ characters"), PasswordProblem::TooSimple)}
            {rule("Does not contain the username".into(), PasswordProblem::ContainsUsername)}
            {rule("Not a common password".into(), PasswordProblem::TooCommon)}
        </ul>
    }
}
