//! What the XML readers share: quick-xml over a [`Tracked`] stream, with every event located,
//! DTDs refused, depth and text bounded, and errors turned into [`Problem`]s.

use std::io::Read;

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
        Ok(event)
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
