//! Reading DWARF for [`super`]: the sections, a unit-by-unit scan of the top-level DIEs for named
//! structures and variables, and structures flattened into their members' offsets and shapes.
//!
//! Every reference, typedef chain and anonymous nesting is bounded ([`MAX_TYPE_DEPTH`],
//! [`MAX_MEMBERS`]); a DIE that cannot be read makes its structure or member unknown, not a panic.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use gimli::{
    Abbreviations, AttributeValue, DebuggingInformationEntry, EndianSlice, RunTimeEndian,
    UnitHeader, UnitOffset, constants as dw,
};

use crate::error::Error;

/// How deep anonymous structs/unions and typedef chains are followed.
const MAX_TYPE_DEPTH: u32 = 16;

/// Most members read from one structure (task_struct has about 250, anonymous ones included).
const MAX_MEMBERS: usize = 4096;

pub(super) type Slice<'a> = EndianSlice<'a, RunTimeEndian>;
type Die<'a> = DebuggingInformationEntry<Slice<'a>>;

/// The DWARF sections the reader uses.
pub(super) struct Sections<'a> {
    pub(super) info: gimli::DebugInfo<Slice<'a>>,
    pub(super) abbrev: gimli::DebugAbbrev<Slice<'a>>,
    pub(super) strings: gimli::DebugStr<Slice<'a>>,
    pub(super) line_strings: gimli::DebugLineStr<Slice<'a>>,
}

impl<'a> Sections<'a> {
    fn string(&self, value: AttributeValue<Slice<'a>>) -> Option<&'a [u8]> {
        let s = match value {
            AttributeValue::String(s) => s,
            AttributeValue::DebugStrRef(o) => self.strings.get_str(o).ok()?,
            AttributeValue::DebugLineStrRef(o) => self.line_strings.get_str(o).ok()?,
            _ => return None,
        };
        Some(s.slice())
    }
}

/// One unit, with its abbreviations parsed.
struct UnitCx<'a> {
    /// Offset of the unit header in `.debug_info`.
    start: usize,
    header: UnitHeader<Slice<'a>>,
    abbrevs: Abbreviations,
}

/// A DIE anywhere in `.debug_info`: its unit and its offset in the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pos {
    unit: usize,
    off: UnitOffset<usize>,
}

/// What a member's type is, as far as the layouts care (typedefs and qualifiers stripped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// An integer, enum or pointer of this many bytes.
    Scalar(u64),
    /// An array with this many elements in its first dimension (`None`: flexible or unknown).
    Array(Option<u64>),
    /// A struct or union, at this position.
    Record(Pos),
    /// Anything else (functions, unknown tags, unreadable types).
    Other,
}

/// A member of a structure, with its offset from the start of the outermost structure.
#[derive(Debug, Clone)]
pub(super) struct Member {
    pub(super) name: Vec<u8>,
    pub(super) offset: u64,
    pub(super) bitfield: bool,
    pub(super) shape: Shape,
}

/// A structure's members in lookup order: its named members, then those of its anonymous struct and
/// union members, depth first (the order `btf.rs` looks them up in).
#[derive(Debug, Clone, Default)]
pub(super) struct Record {
    pub(super) members: Vec<Member>,
}

impl Record {
    /// The member called `name`; `None` when absent or a bitfield (of no use to a byte reader).
    pub(super) fn get(&self, name: &str) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.name == name.as_bytes())
            .filter(|m| !m.bitfield)
    }

    pub(super) fn offset(&self, name: &str) -> Option<u64> {
        self.get(name).map(|m| m.offset)
    }
}

/// The reader: the sections, and the units it has opened (the one being scanned and any it was
/// referred to).
pub(super) struct Reader<'s, 'a> {
    s: &'s Sections<'a>,
    units: RefCell<HashMap<usize, Rc<UnitCx<'a>>>>,
    /// `(start, end)` of every unit in `.debug_info`, listed on the first cross-unit reference.
    unit_spans: RefCell<Option<Vec<(usize, usize)>>>,
}

fn dwarf_error(e: gimli::Error) -> Error {
    Error::Dwarf {
        detail: e.to_string(),
    }
}

impl<'s, 'a> Reader<'s, 'a> {
    pub(super) fn new(s: &'s Sections<'a>) -> Self {
        Self {
            s,
            units: RefCell::new(HashMap::new()),
            unit_spans: RefCell::new(None),
        }
    }

    fn open(&self, header: UnitHeader<Slice<'a>>) -> Result<Rc<UnitCx<'a>>, Error> {
        let start = header
            .debug_info_offset()
            .map(|o| o.0)
            .ok_or_else(|| Error::Dwarf {
                detail: "a unit outside .debug_info".to_owned(),
            })?;
        let abbrevs = header.abbreviations(&self.s.abbrev).map_err(dwarf_error)?;
        let cx = Rc::new(UnitCx {
            start,
            header,
            abbrevs,
        });
        self.units.borrow_mut().insert(start, Rc::clone(&cx));
        Ok(cx)
    }

    fn unit(&self, start: usize) -> Option<Rc<UnitCx<'a>>> {
        if let Some(cx) = self.units.borrow().get(&start) {
            return Some(Rc::clone(cx));
        }
        let header = self
            .s
            .info
            .header_from_offset(gimli::DebugInfoOffset(start))
            .ok()?;
        self.open(header).ok()
    }

    /// The unit holding section offset `at` (for `DW_FORM_ref_addr`).
    fn containing(&self, at: usize) -> Option<usize> {
        let mut spans = self.unit_spans.borrow_mut();
        let spans = spans.get_or_insert_with(|| {
            let mut v = Vec::new();
            let mut it = self.s.info.units();
            while let Ok(Some(h)) = it.next() {
                if let Some(o) = h.debug_info_offset() {
                    v.push((o.0, o.0 + h.length_including_self()));
                }
            }
            v
        });
        let i = spans.partition_point(|&(start, _)| start <= at);
        let &(start, end) = spans.get(i.checked_sub(1)?)?;
        (at < end).then_some(start)
    }

    fn entry(&self, p: Pos) -> Option<(Rc<UnitCx<'a>>, Die<'a>)> {
        let cx = self.unit(p.unit)?;
        let e = cx.header.entry(&cx.abbrevs, p.off).ok()?;
        Some((cx, e))
    }

    fn name(&self, e: &Die<'a>) -> Option<&'a [u8]> {
        self.s.string(e.attr_value(dw::DW_AT_name)?)
    }

    /// Where a reference attribute (`DW_AT_type`, `DW_AT_specification`) points.
    fn reference(&self, unit: usize, e: &Die<'a>, at: dw::DwAt) -> Option<Pos> {
        match e.attr_value(at)? {
            AttributeValue::UnitRef(off) => Some(Pos { unit, off }),
            AttributeValue::DebugInfoRef(o) => {
                let start = self.containing(o.0)?;
                Some(Pos {
                    unit: start,
                    off: UnitOffset(o.0 - start),
                })
            }
            _ => None,
        }
    }

    /// Follows typedefs and qualifiers to the type they name.
    fn strip(&self, mut p: Pos) -> Option<(Pos, Die<'a>)> {
        for _ in 0..MAX_TYPE_DEPTH {
            let (_, e) = self.entry(p)?;
            match e.tag() {
                dw::DW_TAG_typedef
                | dw::DW_TAG_const_type
                | dw::DW_TAG_volatile_type
                | dw::DW_TAG_restrict_type
                | dw::DW_TAG_atomic_type => p = self.reference(p.unit, &e, dw::DW_AT_type)?,
                _ => return Some((p, e)),
            }
        }
        None
    }

    pub(super) fn shape(&self, ty: Option<Pos>) -> Shape {
        let Some((p, e)) = ty.and_then(|t| self.strip(t)) else {
            return Shape::Other;
        };
        let byte_size = || e.attr(dw::DW_AT_byte_size).and_then(|a| a.udata_value());
        match e.tag() {
            dw::DW_TAG_base_type | dw::DW_TAG_enumeration_type => {
                byte_size().map_or(Shape::Other, Shape::Scalar)
            }
            dw::DW_TAG_pointer_type => {
                let size = byte_size().or_else(|| {
                    self.unit(p.unit)
                        .map(|cx| u64::from(cx.header.address_size()))
                });
                size.map_or(Shape::Other, Shape::Scalar)
            }
            dw::DW_TAG_array_type => Shape::Array(self.array_len(p)),
            dw::DW_TAG_structure_type | dw::DW_TAG_union_type | dw::DW_TAG_class_type => {
                Shape::Record(p)
            }
            _ => Shape::Other,
        }
    }

    /// The element count of an array's first dimension.
    fn array_len(&self, p: Pos) -> Option<u64> {
        let cx = self.unit(p.unit)?;
        let mut tree = cx.header.entries_tree(&cx.abbrevs, Some(p.off)).ok()?;
        let root = tree.root().ok()?;
        let mut children = root.children();
        while let Ok(Some(child)) = children.next() {
            let e = child.entry();
            if e.tag() != dw::DW_TAG_subrange_type {
                continue;
            }
            if let Some(n) = e.attr(dw::DW_AT_count).and_then(|a| a.udata_value()) {
                return Some(n);
            }
            let lower = e
                .attr(dw::DW_AT_lower_bound)
                .and_then(|a| a.udata_value())
                .unwrap_or(0);
            let upper = e.attr(dw::DW_AT_upper_bound)?.udata_value()?;
            return upper.checked_add(1)?.checked_sub(lower);
        }
        None
    }

    /// Reads the members of the struct or union at `p` into `out`, offsets from `base`.
    pub(super) fn record(
        &self,
        p: Pos,
        base: u64,
        depth: u32,
        out: &mut Vec<Member>,
    ) -> Option<()> {
        if depth > MAX_TYPE_DEPTH {
            return None;
        }
        let cx = self.unit(p.unit)?;
        // Collect the members first: resolving their types opens other cursors.
        let mut raw = Vec::new();
        {
            let mut tree = cx.header.entries_tree(&cx.abbrevs, Some(p.off)).ok()?;
            let root = tree.root().ok()?;
            let mut children = root.children();
            while let Ok(Some(child)) = children.next() {
                let e = child.entry();
                if e.tag() != dw::DW_TAG_member {
                    continue;
                }
                if raw.len() + out.len() >= MAX_MEMBERS {
                    return None;
                }
                let name = self.name(e).unwrap_or_default();
                let bitfield = e.attr(dw::DW_AT_bit_size).is_some();
                // Union members have no location: they start at 0.
                let offset = match e.attr(dw::DW_AT_data_member_location) {
                    None => Some(0),
                    Some(a) => member_location(&a.raw_value(), cx.header.encoding()),
                };
                let ty = self.reference(p.unit, e, dw::DW_AT_type);
                raw.push((name, offset, bitfield, ty));
            }
        }
        let mut anonymous = Vec::new();
        for (name, offset, bitfield, ty) in raw {
            let Some(offset) = offset.and_then(|o| base.checked_add(o)) else {
                continue;
            };
            if name.is_empty() {
                anonymous.push((offset, ty));
            } else {
                out.push(Member {
                    name: name.to_vec(),
                    offset,
                    bitfield,
                    shape: self.shape(ty),
                });
            }
        }
        for (offset, ty) in anonymous {
            if let Shape::Record(inner) = self.shape(ty) {
                self.record(inner, offset, depth + 1, out);
            }
        }
        Some(())
    }

    /// The address of a variable's `DW_OP_addr` location.
    fn address(&self, cx: &UnitCx<'a>, e: &Die<'a>) -> Option<u64> {
        let AttributeValue::Exprloc(expr) = e.attr_value(dw::DW_AT_location)? else {
            return None;
        };
        let mut bytes = expr.0;
        match gimli::Operation::parse(&mut bytes, cx.header.encoding()).ok()? {
            gimli::Operation::Address { address } if bytes.is_empty() => Some(address),
            _ => None,
        }
    }
}

/// A `DW_AT_data_member_location`: a constant, or (DWARF 2) a `DW_OP_plus_uconst` expression.
fn member_location(value: &AttributeValue<Slice<'_>>, encoding: gimli::Encoding) -> Option<u64> {
    if let AttributeValue::Exprloc(expr) = value {
        let mut bytes = expr.0;
        return match gimli::Operation::parse(&mut bytes, encoding).ok()? {
            gimli::Operation::PlusConstant { value } if bytes.is_empty() => Some(value),
            _ => None,
        };
    }
    value.udata_value()
}

/// What the scan found: structures by name, and per-CPU variables (link address and type).
#[derive(Default)]
pub(super) struct Found {
    pub(super) records: HashMap<&'static str, Record>,
    pub(super) vars: HashMap<&'static str, (u64, Option<Pos>)>,
}

/// Scans `.debug_info` unit by unit for the structures in `structs` and the variables in `vars`,
/// stopping once all are found.
pub(super) fn scan(
    r: &Reader<'_, '_>,
    structs: &[&'static str],
    vars: &[&'static str],
) -> Result<Found, Error> {
    let mut found = Found::default();
    let mut units = r.s.info.units();
    while found.records.len() < structs.len() || found.vars.len() < vars.len() {
        let Some(header) = units.next().map_err(dwarf_error)? else {
            break;
        };
        r.units.borrow_mut().clear();
        let cx = r.open(header)?;
        let mut cursor = cx.header.entries(&cx.abbrevs);
        let Some(root) = cursor.next_dfs().map_err(dwarf_error)? else {
            continue;
        };
        if !root.has_children() {
            continue;
        }
        cursor.next_entry().map_err(dwarf_error)?;
        while let Some(e) = cursor.current() {
            let tag = e.tag();
            let pos = Pos {
                unit: cx.start,
                off: e.offset(),
            };
            let declaration = e.attr(dw::DW_AT_declaration).is_some();
            match tag {
                dw::DW_TAG_structure_type if !declaration => {
                    let name = r.name(e);
                    if let Some(&want) = structs
                        .iter()
                        .find(|&&s| Some(s.as_bytes()) == name && !found.records.contains_key(s))
                    {
                        let mut rec = Record::default();
                        if r.record(pos, 0, 0, &mut rec.members).is_some() {
                            found.records.insert(want, rec);
                        }
                    }
                }
                dw::DW_TAG_variable if !declaration && !vars.is_empty() => {
                    // A definition of an `extern` variable names it through DW_AT_specification.
                    let name = r.name(e).or_else(|| {
                        let spec = r.reference(cx.start, e, dw::DW_AT_specification)?;
                        let (_, d) = r.entry(spec)?;
                        r.name(&d)
                    });
                    if let Some(&want) = vars
                        .iter()
                        .find(|&&v| Some(v.as_bytes()) == name && !found.vars.contains_key(v))
                        && let Some(addr) = r.address(&cx, e)
                    {
                        let ty = r.reference(cx.start, e, dw::DW_AT_type).or_else(|| {
                            let spec = r.reference(cx.start, e, dw::DW_AT_specification)?;
                            let (_, d) = r.entry(spec)?;
                            r.reference(spec.unit, &d, dw::DW_AT_type)
                        });
                        found.vars.insert(want, (addr, ty));
                    }
                }
                _ => {}
            }
            cursor.next_sibling().map_err(dwarf_error)?;
        }
    }
    Ok(found)
}
