#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hicp_evidence_fuzz::import(hicp_evidence::Format::Inventory, data)
});
