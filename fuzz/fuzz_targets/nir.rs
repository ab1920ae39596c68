//! NIR parsing: any text gets a verdict, never a panic; an accepted NIR prints back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use partage_domain::Nir;

fuzz_target!(|text: &str| {
    if let Ok(nir) = Nir::parse(text) {
        let printed = nir.as_str();
        assert_eq!(Nir::parse(printed).ok().as_ref().map(Nir::as_str), Some(printed));
    }
});
