//! The XML renderer against the documentation: for every documented example
//! that has an XML form, the XML rendered from the JSON must equal it.

mod common;

use docmock::contract::catalog::same_xml_text;
use docmock::contract::dialect::Format;

#[test]
fn rendered_xml_equals_every_documented_xml_example() {
    let catalog = common::bundled();
    let mut compared = 0;
    for endpoint in &catalog.endpoints {
        for response in &endpoint.responses {
            let Some(documented) = &response.xml_fixture else {
                continue;
            };
            let rendered = response.bytes(Format::Xml);
            assert!(
                same_xml_text(documented, rendered),
                "{} {}: rendered XML differs from the documented XML\n--- documented\n{documented}\n--- rendered\n{}",
                endpoint.id,
                response.name,
                String::from_utf8_lossy(rendered)
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 4);
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
}

#[test]
fn a_renderer_change_that_breaks_fidelity_is_reported_at_load() {
    // Flip one documented boolean spelling: the loader must notice.
    let dir = common::scratch_copy();
    let fixture = dir
        .path()
        .join("fixtures/r7/get-crm-contact-contactid/response-200.xml");
    let text = std::fs::read_to_string(&fixture).expect("fixture");
    std::fs::write(
        &fixture,
        text.replacen(
            "<isCompany>true</isCompany>",
            "<isCompany>True</isCompany>",
            1,
        ),
    )
    .expect("write");
    let catalog = docmock::Catalog::load(&docmock::Source::new(dir.path().join("specs"), None))
        .expect("still loads");
    assert_eq!(catalog.warnings.len(), 1);
    let warning = catalog.warnings[0].to_string();
    assert!(warning.contains("response-200.xml"), "{warning}");
    assert!(
        warning.contains("documented \"<isCompany>True</isCompany>\""),
        "{warning}"
    );
}
