//! Feeds arbitrary bytes to the bounce parser: it must never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // libfuzzer-sys aborts on every panic, even one that is caught. The parser catches
        // the `debug_assert!` panics of mail-parser 0.11 (see `inbound::Inbound::parse`), so
        // those are let through to its `catch_unwind`; any other panic still aborts.
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_mail_parser = info.location().is_some_and(|l| l.file().contains("/mail-parser-"));
            if !in_mail_parser {
                abort_hook(info);
            }
        }));
    },
    |data: &[u8]| {
        let report = engine::bounces::parse_report(data);
        for r in &report.recipients {
            assert!(r.diagnostic.chars().count() <= 1000, "diagnostic longer than 1000 characters");
        }
        let _ = engine::bounces::parse(data);
    }
);
