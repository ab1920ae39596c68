//! SIRET parsing: any text gets a verdict, never a panic; an accepted SIRET is 14 digits and parses again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use partage_domain::Siret;

fuzz_target!(|text: &str| {
    if let Ok(siret) = Siret::parse(text) {
        let digits = siret.as_str();
        assert!(digits.len() == 14 && digits.bytes().all(|b| b.is_ascii_digit()));
        assert!(Siret::parse(digits).is_ok());
    }
});
