//! What the XML readers share: quick-xml over a [`Tracked`] stream, with every event located,
//! DTDs refused, depth and text bounded, and errors turned into [`Problem`]s.

use std::io::{BufRead, Read};

use hicp_input::Problem;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::source::{Limits, StreamError, Tracked};

pub(crate) struct XmlStream<'p, R> {
    reader: Reader<Tracked<'p, R>>,
    file: String,
    limits: Limits,
    depth: usize,
    scratch: Vec<u8>,
    /// Whether the last event was other than text. quick-xml then reads on from text, so
    /// whole elements may be consumed from under it; after a text event it has seen the next
    /// `<` and reads markup from there without looking again.
    at_text: bool,
}

impl<'p, R: Read> XmlStream<'p, R> {
    pub(crate) fn new(source: Tracked<'p, R>, file: &str, limits: Limits) -> XmlStream<'p, R> {
        let mut reader = Reader::from_reader(source);
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        XmlStream {
            reader,
            file: file.to_string(),
            limits,
            depth: 0,
            scratch: Vec::new(),
            at_text: false,
        }
    }

    pub(crate) fn into_source(self) -> Tracked<'p, R> {
        self.reader.into_inner()
    }

    /// Depth of the element the last event is in (1 inside the root).
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// A problem at the start of the last event.
    pub(crate) fn problem(&self, message: impl Into<String>) -> Box<Problem> {
        // The start of the event last returned by `next` (marked there).
        let at = self.reader.get_ref().marked_position();
        Box::new(Problem::at(self.file.clone(), Some(at), "", message))
    }

    /// The next event. A DOCTYPE, an undefined entity, an element nested past the limit, or a
    /// file that ends with elements open is a problem; `Eof` is returned only at a clean end.
    pub(crate) fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> Result<Event<'b>, Box<Problem>> {
        buf.clear();
        self.reader.get_mut().mark();
        let event = match self.reader.read_event_into(buf) {
            Ok(event) => event,
            Err(error) => return Err(self.xml_problem(&error)),
        };
        match &event {
            Event::Start(_) => {
                self.depth += 1;
                if self.depth > self.limits.max_depth {
                    return Err(self.problem(format!(
                        "elements are nested more than {} deep; this is not a scanner export",
                        self.limits.max_depth
                    )));
                }
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            Event::DocType(_) => {
                return Err(self.problem(
                    "the file declares a DOCTYPE; hicp never reads DTDs or entities. \
                     Export the report again without one, or delete the <!DOCTYPE ...> line",
                ));
            }
            Event::GeneralRef(reference)
                if !reference.is_char_ref()
                    && quick_xml::escape::resolve_predefined_entity(reference).is_none() =>
            {
                return Err(self.problem(format!(
                    "the entity &{}; is not defined (hicp reads no DTD, so only &lt; &gt; \
                         &amp; &apos; &quot; and character references are allowed)",
                    &**reference
                )));
            }
            Event::Eof if self.depth > 0 => {
                self.reader.get_mut().mark();
                return Err(self.problem(
                    "the file ends before its elements are closed; it looks truncated. \
                     Export it again",
                ));
            }
            _ => {}
        }
        self.at_text = !matches!(event, Event::Text(_));
        Ok(event)
    }

    /// The next event, with the text before it passed over unread, for callers that ignore
    /// text: most of a scan's bytes are descriptions and plugin output nobody keeps. Only text
    /// is passed over (up to a `<` or `&`), so every element, reference and end tag still goes
    /// through quick-xml and [`XmlStream::next`]'s checks, and a problem is placed as before.
    pub(crate) fn next_markup<'b>(
        &mut self,
        buf: &'b mut Vec<u8>,
    ) -> Result<Event<'b>, Box<Problem>> {
        if let Err(error) = self.reader.get_mut().skip_text() {
            return Err(Box::new(StreamError::problem(&self.file, &error)));
        }
        self.next(buf)
    }

    /// Reads past text and past child elements that hold nothing but text, such as
    /// `<description>...</description>`, straight from the read buffer: one `memchr` pass
    /// over each instead of a start, a text and an end event, which is most of the work for a
    /// scan's bytes. Stops at the first of them whose text `wanted` asks for by name, giving
    /// its name and trimmed text, or at anything else (`None`: read it with
    /// [`XmlStream::next`]).
    ///
    /// An element is taken this way only when quick-xml would read it without error and
    /// [`XmlStream::next`] would let all of its events through: see [`plain_element`].
    /// Anything else, or an element not whole in the buffer, is left to the events.
    pub(crate) fn pass_plain_children(
        &mut self,
        wanted: impl Fn(&[u8]) -> bool,
    ) -> Result<Option<(&[u8], &str)>, Box<Problem>> {
        let nested_too_deep = self.depth >= self.limits.max_depth;
        let element = loop {
            let source = self.reader.get_mut();
            if let Err(error) = source.skip_text() {
                return Err(Box::new(StreamError::problem(&self.file, &error)));
            }
            if !self.at_text || nested_too_deep {
                return Ok(None);
            }
            let available = match source.fill_buf() {
                Ok(available) => available,
                Err(error) => return Err(Box::new(StreamError::problem(&self.file, &error))),
            };
            let Some(element) = plain_element(available, self.limits.max_field_bytes) else {
                return Ok(None);
            };
            if !wanted(&available[element.name.clone()]) {
                source.consume(element.length);
                continue;
            }
            let text = &available[element.text.clone()];
            // The text as `text` would give it: no references to resolve, no line ends to
            // normalize, and checked as UTF-8 here (the file may be checked on the other
            // thread, behind this one).
            if element.references || memchr::memchr(b'\r', text).is_some() {
                return Ok(None);
            }
            if std::str::from_utf8(text).is_err() {
                return Ok(None);
            }
            break element;
        };
        let bytes = self.reader.get_mut().take(element.length);
        let text = std::str::from_utf8(&bytes[element.text]).unwrap_or_default();
        Ok(Some((&bytes[element.name], text.trim())))
    }

    fn xml_problem(&self, error: &quick_xml::Error) -> Box<Problem> {
        match error {
            quick_xml::Error::Io(io) => Box::new(StreamError::problem(&self.file, io)),
            quick_xml::Error::Syntax(syntax) => {
                // quick-xml names an unclosed construct at the end of the input this way.
                let truncated = syntax.to_string().contains("end of input");
                self.problem(format!(
                    "not well-formed XML: {syntax}{}",
                    if truncated {
                        "; the file looks truncated. Export it again"
                    } else {
                        ""
                    }
                ))
            }
            other => self.problem(format!("not well-formed XML: {other}")),
        }
    }

    /// The text directly inside the element whose start was just read (child elements are
    /// skipped, so `<host>10.0.0.1<asset/></host>` gives `10.0.0.1`), trimmed, up to the
    /// field limit. Reads through the element's end.
    pub(crate) fn text(&mut self) -> Result<String, Box<Problem>> {
        let own_depth = self.depth;
        let mut text = String::new();
        let mut buf = std::mem::take(&mut self.scratch);
        loop {
            let event = self.next(&mut buf)?;
            let at_own_level = self.depth == own_depth;
            match event {
                Event::Text(t) if at_own_level => text.push_str(&t.xml10_content()),
                Event::CData(c) if at_own_level => {
                    text.push_str(&c);
                }
                Event::GeneralRef(r) if at_own_level => self.push_reference(&r, &mut text)?,
                Event::End(_) if self.depth < own_depth => break,
                Event::Eof => break,
                _ => {}
            }
            if text.len() > self.limits.max_field_bytes {
                return Err(self.problem(format!(
                    "a text field is longer than the limit of {} bytes",
                    self.limits.max_field_bytes
                )));
            }
        }
        self.scratch = buf;
        Ok(text.trim().to_string())
    }

    /// The text directly inside the element whose start was just read, and the text of its
    /// first child named `child`, for mixed content such as Greenbone's
    /// `<host>10.0.0.1<asset/><hostname>pc1</hostname></host>`. Reads through the element's end.
    pub(crate) fn text_and_child(
        &mut self,
        child: &str,
    ) -> Result<(String, Option<String>), Box<Problem>> {
        let own_depth = self.depth;
        let mut text = String::new();
        let mut child_text = None;
        let mut buf = Vec::new();
        loop {
            let at_own_level = self.depth == own_depth;
            match self.next(&mut buf)? {
                Event::Start(element) if at_own_level => {
                    if element.name().as_ref() == child && child_text.is_none() {
                        child_text = Some(self.text()?);
                    } else {
                        self.skip()?;
                    }
                }
                Event::Text(t) if at_own_level => text.push_str(&t.xml10_content()),
                Event::CData(c) if at_own_level => text.push_str(&c),
                Event::GeneralRef(r) if at_own_level => self.push_reference(&r, &mut text)?,
                Event::End(_) if self.depth < own_depth => break,
                Event::Eof => break,
                _ => {}
            }
            if text.len() > self.limits.max_field_bytes {
                return Err(self.problem(format!(
                    "a text field is longer than the limit of {} bytes",
                    self.limits.max_field_bytes
                )));
            }
        }
        Ok((text.trim().to_string(), child_text))
    }

    /// Appends what a character reference or predefined entity stands for.
    fn push_reference(
        &self,
        reference: &quick_xml::events::BytesRef<'_>,
        text: &mut String,
    ) -> Result<(), Box<Problem>> {
        if let Ok(Some(c)) = reference.resolve_char_ref() {
            text.push(c);
        } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(reference) {
            text.push_str(s);
        } else {
            return Err(self.problem(format!("invalid character reference &{};", &**reference)));
        }
        Ok(())
    }

    /// Reads through the end of the element whose start was just read.
    pub(crate) fn skip(&mut self) -> Result<(), Box<Problem>> {
        let own_depth = self.depth;
        let mut buf = std::mem::take(&mut self.scratch);
        while self.depth >= own_depth {
            self.pass_plain_children(|_| false)?;
            if matches!(self.next(&mut buf)?, Event::Eof) {
                break;
            }
        }
        self.scratch = buf;
        Ok(())
    }

    /// An attribute's unescaped value, bounded.
    pub(crate) fn attribute(
        &self,
        element: &BytesStart<'_>,
        name: &str,
    ) -> Result<Option<String>, Box<Problem>> {
        let attribute = match element.try_get_attribute(name) {
            Ok(Some(attribute)) => attribute,
            Ok(None) => return Ok(None),
            Err(error) => return Err(self.problem(format!("bad attribute: {error}"))),
        };
        if attribute.value.len() > self.limits.max_field_bytes {
            return Err(self.problem(format!(
                "the attribute {name} is longer than the limit of {} bytes",
                self.limits.max_field_bytes
            )));
        }
        match attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(value) => Ok(Some(value.trim().to_string())),
            Err(error) => Err(self.problem(format!("bad value in attribute {name}: {error}"))),
        }
    }

    /// Several attributes' unescaped values in one pass over the element's attributes (asking
    /// for each by name would walk them once per name).
    pub(crate) fn attributes<const N: usize>(
        &self,
        element: &BytesStart<'_>,
        names: [&str; N],
    ) -> Result<[Option<String>; N], Box<Problem>> {
        let mut values: [Option<String>; N] = std::array::from_fn(|_| None);
        for attribute in element.attributes() {
            let attribute =
                attribute.map_err(|error| self.problem(format!("bad attribute: {error}")))?;
            let key = attribute.key.as_ref();
            let Some(slot) = names.iter().position(|name| *name == key) else {
                continue;
            };
            if attribute.value.len() > self.limits.max_field_bytes {
                return Err(self.problem(format!(
                    "the attribute {key} is longer than the limit of {} bytes",
                    self.limits.max_field_bytes
                )));
            }
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|error| self.problem(format!("bad value in attribute {key}: {error}")))?;
            values[slot] = Some(value.trim().to_string());
        }
        Ok(values)
    }

    /// Checks the first element: `expected` names the roots this reader takes.
    pub(crate) fn expect_root(
        &self,
        found: &str,
        expected: &[&str],
        format: &str,
    ) -> Result<(), Box<Problem>> {
        if expected.contains(&found) {
            return Ok(());
        }
        Err(self.problem(format!(
            "the root element is <{}>, not <{}>: this is not a {format} file",
            found,
            expected.join("> or <")
        )))
    }
}

/// Where the parts of a [`plain_element`] are in the bytes it was found in.
struct PlainElement {
    name: std::ops::Range<usize>,
    text: std::ops::Range<usize>,
    length: usize,
    /// The text holds references (`&lt;`, `&#38;`).
    references: bool,
}

/// An element at the start of `bytes` that quick-xml would read as a start, text (at most
/// `max_text` bytes) and references, and the matching end, all without error, and whose
/// events [`XmlStream::next`] would all let through: `<name>text</name>` whole in `bytes`,
/// with a name of plain characters, no attributes, no markup inside, and only references to
/// characters or to the five predefined entities. UTF-8 is the stream's to check.
fn plain_element(bytes: &[u8], max_text: usize) -> Option<PlainElement> {
    let is_name_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':');
    if bytes.first() != Some(&b'<') {
        return None;
    }
    let name_length = bytes[1..].iter().position(|&b| !is_name_byte(b))?;
    if name_length == 0 || bytes[1 + name_length] != b'>' {
        return None;
    }
    let name = 1..1 + name_length;
    let text_start = name.end + 1;
    let mut at = text_start;
    let mut references = false;
    loop {
        let found = at + memchr::memchr2(b'<', b'&', bytes.get(at..)?)?;
        if found - text_start > max_text {
            return None;
        }
        if bytes[found] == b'<' {
            let end = bytes.get(found..found + name_length + 3)?;
            let closes = end.starts_with(b"</")
                && end[2..2 + name_length] == bytes[name.clone()]
                && end[2 + name_length] == b'>';
            return closes.then_some(PlainElement {
                name,
                text: text_start..found,
                length: found + name_length + 3,
                references,
            });
        }
        // As quick-xml reads a reference: up to the first `;`, `&` or `<` after the `&`.
        let after = found + 1;
        let end = after + memchr::memchr3(b';', b'&', b'<', bytes.get(after..)?)?;
        let reference = &bytes[after..end];
        let let_through = reference.first() == Some(&b'#')
            || matches!(reference, b"lt" | b"gt" | b"amp" | b"apos" | b"quot");
        if bytes[end] != b';' || !let_through {
            return None;
        }
        references = true;
        at = end + 1;
    }
}

#[cfg(test)]
mod tests {
    use std::io::{self, Read};

    use super::plain_element;
    use crate::import::{Format, Options, import_reader};
    use crate::source::Limits;

    /// Hands out one byte per read, so no element is ever whole in the read buffer and each
    /// goes through quick-xml's events: what every element did before plain ones were passed
    /// over in the buffer.
    struct OneByteAtATime<'a>(&'a [u8]);

    impl Read for OneByteAtATime<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), out.first_mut()) {
                (Some((&first, rest)), Some(slot)) => {
                    *slot = first;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    /// The outcome of an import, with every record when it succeeds (a refused file's records
    /// are discarded, and how many reached the sink depends on where a bad byte is first seen).
    fn outcome(format: Format, input: impl Read, total: Option<u64>, limits: Limits) -> String {
        let mut records = Vec::new();
        let options = Options {
            limits,
            ..Options::default()
        };
        let result = import_reader(format, input, "t.xml", total, options, &mut |record| {
            records.push(record);
            Ok(())
        });
        match result {
            Ok(imported) => format!("{imported:?} {records:?}"),
            Err(error) => format!("{error:?}"),
        }
    }

    fn assert_read_as_by_events(format: Format, document: &[u8], limits: Limits) {
        let by_events = outcome(format, OneByteAtATime(document), None, limits);
        let whole = outcome(format, document, None, limits);
        assert_eq!(whole, by_events, "{}", String::from_utf8_lossy(document));
    }

    fn nessus_item(children: &str) -> Vec<u8> {
        format!(
            "<?xml version=\"1.0\"?>\n<NessusClientData_v2><Report name=\"r\">\n\
             <ReportHost name=\"h\">\n<ReportItem port=\"80\" severity=\"2\" \
             pluginID=\"19506\" pluginName=\"n\">\n{children}\n</ReportItem>\n</ReportHost></Report>\
             </NessusClientData_v2>\n"
        )
        .into_bytes()
    }

    #[test]
    fn plain_elements_read_as_their_events_do() {
        let children = [
            "<description>plain</description><cve>CVE-2021-44228</cve>",
            "<description>a &lt;b&gt; &amp; &apos;&quot; &#38; &#xZZ; c</description>",
            "<description>x &secret; y</description>",
            "<description>x & y</description>",
            "<description>x &amp y</description>",
            "<description>x &</description>",
            "<description>x <b>bold</b> y</description>",
            "<description>x <!-- note --> y</description>",
            "<description><![CDATA[<x>]]></description>",
            "<description>x <!DOCTYPE d> y</description>",
            "<description>x</solution>",
            "<description>x</descriptio>",
            "<description>x</descriptionx>",
            "<description >x</description >",
            "<description/><a:b.c-d_e>x</a:b.c-d_e>",
            "<see_also>a</see_also><see_also></see_also>",
            "<cve>CVE-2021-&#52;4228</cve>",
            "<cve>CVE-2021-&#xZZ;</cve>",
            "<cve>\r\nCVE-2021-44228\r\n</cve>",
            "<cve> cve-2021-44228, CVE-2020-0001 </cve><cve>CVE-2020-0001</cve>",
            "<plugin_output>Nessus version : 10\nCredentialed checks : yes</plugin_output>",
            "<plugin_output>Credentialed checks : no &amp; more</plugin_output>",
            "<plugin_output>Credentialed checks :\ryes</plugin_output>",
            "&amp;text<description>x</description>text&lt;<cve>CVE-2022-0001</cve>",
            "<description>caf\u{e9}</description></ReportItem><ReportItem severity=\"1\"><cve>CVE-2023-0001</cve>",
        ];
        for children in children {
            assert_read_as_by_events(Format::Nessus, &nessus_item(children), Limits::default());
        }

        // A bad byte, and a file that ends inside an element.
        let mut bad = nessus_item("<description>caf\u{e9}</description>");
        let at = bad.iter().position(|&b| b == 0xC3).unwrap();
        bad[at] = 0xFF;
        assert_read_as_by_events(Format::Nessus, &bad, Limits::default());
        let whole = nessus_item("<description>cut here</description>");
        let cut = whole.windows(4).position(|w| w == b"here").unwrap();
        assert_read_as_by_events(Format::Nessus, &whole[..cut], Limits::default());

        // The limits: text kept or passed over beyond the field limit, and elements one
        // level deeper than allowed (the item is at depth 4).
        let long = format!(
            "<description>{0}</description><cve>{0}</cve>",
            "x".repeat(200)
        );
        let small_fields = Limits {
            max_field_bytes: 100,
            ..Limits::default()
        };
        assert_read_as_by_events(Format::Nessus, &nessus_item(&long), small_fields);
        for max_depth in [4, 5] {
            let limits = Limits {
                max_depth,
                ..Limits::default()
            };
            let item = nessus_item("<description>x</description>");
            assert_read_as_by_events(Format::Nessus, &item, limits);
        }
    }

    #[test]
    fn plain_elements_skipped_in_a_greenbone_report_read_as_their_events_do() {
        let report = "<report id=\"r\"><report id=\"r\"><results><result id=\"a\">\
             <host>10.0.0.9</host><port>80/tcp</port><nvt oid=\"1.2\"><name>N</name>\
             <cvss_base>5.0</cvss_base><tags>a=b&amp;c</tags></nvt><threat>Medium</threat>\
             <description>d &lt; e</description><notes><note><text>t &bad; u</text></note>\
             </notes></result></results></report></report>";
        assert_read_as_by_events(Format::Openvas, report.as_bytes(), Limits::default());
        let fixed = report.replace("&bad;", "&amp;");
        assert_read_as_by_events(Format::Openvas, fixed.as_bytes(), Limits::default());
    }

    #[test]
    fn a_bad_byte_in_passed_over_text_is_placed_as_inline_on_the_second_thread() {
        // Large enough to be checked on the hashing thread when its size is known.
        let item = "<ReportItem port=\"80\" severity=\"2\" pluginID=\"1\" pluginName=\"n\">\n\
             <description>The remote host is missing updates.</description>\n\
             <cve>CVE-2021-44228</cve>\n</ReportItem>\n";
        let mut document = String::from(
            "<?xml version=\"1.0\"?>\n<NessusClientData_v2><Report name=\"r\">\n\
             <ReportHost name=\"h\">\n",
        );
        while document.len() < 17 * 1024 * 1024 {
            document.push_str(item);
        }
        document.push_str("</ReportHost></Report></NessusClientData_v2>\n");
        let mut bad = document.into_bytes();
        let at = bad.len() / 2;
        let at = at + bad[at..].windows(7).position(|w| w == b"updates").unwrap();
        bad[at] = 0xFF;
        let total = Some(bad.len() as u64);
        let inline = outcome(Format::Nessus, &bad[..], None, Limits::default());
        let on_thread = outcome(Format::Nessus, &bad[..], total, Limits::default());
        assert!(inline.contains("UTF-8"), "{inline}");
        assert_eq!(on_thread, inline);
    }

    #[test]
    fn only_whole_plain_elements_are_taken_from_the_buffer() {
        let taken = |bytes: &[u8]| plain_element(bytes, 100).map(|e| (e.text, e.length));
        assert_eq!(taken(b"<a>x</a>\n<b>"), Some((3..4, 8)));
        assert_eq!(taken(b"<a></a>"), Some((3..3, 7)));
        assert!(plain_element(b"<a>x &lt; y</a>", 100).unwrap().references);
        for refused in [
            &b"<a>x</a"[..],
            b"<a>x",
            b"<a",
            b"<",
            b"",
            b" <a>x</a>",
            b"<a x=\"1\">x</a>",
            b"<a >x</a>",
            b"<a/>",
            b"<>x</>",
            b"</a>",
            b"<!--x-->",
            b"<a>x</b>",
            b"<a>x</a >",
            b"<a><b/></a>",
            b"<a>&x;</a>",
            b"<a>&amp</a>",
        ] {
            assert!(
                plain_element(refused, 100).is_none(),
                "{}",
                String::from_utf8_lossy(refused)
            );
        }
        assert!(plain_element(b"<a>xxxx</a>", 3).is_none(), "over the limit");
    }
}
