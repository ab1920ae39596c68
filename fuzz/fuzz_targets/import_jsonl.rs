//! The import file reader (`partage import`): any bytes give records or refused lines, never a panic, and
//! every refused line names a line of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use partage_store::NirKey;

fuzz_target!(|data: &[u8]| {
    let lines = data.split(|b| *b == b'\n').count();
    if let Err(refused) = partage_app::import::parse_jsonl(&NirKey([7; 32]), data) {
        assert!(!refused.is_empty());
        for r in refused {
            assert!(r.ligne >= 1 && r.ligne <= lines, "ligne {} sur {lines}", r.ligne);
        }
    }
});
