//! The layering of docs/ARCHITECTURE.md, checked: which top-level part of the crate
//! may use which, and no module uses a module that uses it back. It reads the
//! `crate::…`, `super::…` and child-module paths of every file under `src/`. And two
//! habits that keep the structure readable: pages and components never name a URL of
//! the API (they call `client::api`), and every module's doc names its child modules.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test tool: a panic is its failure report

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
};

/// Top-level part → the parts it may use (besides itself).
const ALLOWED: &[(&str, &[&str])] = &[
    ("shared", &[]),
    ("server", &["shared"]),
    ("api", &["server", "shared"]),
    ("client", &["api", "shared"]),
    ("components", &["client", "api", "shared"]),
    ("pages", &["components", "client", "api", "shared"]),
    ("app", &["pages", "components", "client", "shared"]),
    ("serve", &["app", "api", "server", "shared"]),
    ("cli", &["serve", "server", "shared"]),
];

/// Every module of the crate: its path (`server::store::sessions`) → its source.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                walk(&path, &[prefix, std::slice::from_ref(&name)].concat(), out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let module = match name.as_str() {
                    "mod" | "lib" | "main" => prefix.to_vec(),
                    _ => [prefix, std::slice::from_ref(&name)].concat(),
                };
                if name != "main" {
                    out.insert(module.join("::"), fs::read_to_string(&path).unwrap());
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &[], &mut out);
    out
}

/// The code without comments, string literals (a path in a doc comment is not a use)
/// and the unit tests at the end of the file (whose `super` is the file itself).
fn code_of(source: &str) -> String {
    let source = source.split("#[cfg(test)]\nmod tests").next().unwrap_or(source);
    let mut code = String::new();
    for line in source.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut in_string = false;
        for c in line.chars() {
            if c == '"' {
                in_string = !in_string;
            } else if !in_string {
                code.push(c);
            }
        }
        code.push('\n');
    }
    code
}

/// Expands a use tree starting at `text` (just after `prefix::`) into full paths.
fn expand(text: &str, prefix: &str, out: &mut Vec<String>) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    let skip_space = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    skip_space(&mut i);
    if i < bytes.len() && bytes[i] == b'{' {
        i += 1;
        loop {
            skip_space(&mut i);
            if i >= bytes.len() || bytes[i] == b'}' {
                return i + 1;
            }
            i += expand(&text[i..], prefix, out);
            skip_space(&mut i);
            if i < bytes.len() && bytes[i] == b',' {
                i += 1;
            }
        }
    }
    let start = i;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'*') {
        i += 1;
    }
    let ident = &text[start..i];
    let path = match ident {
        "self" | "*" | "" => prefix.to_string(),
        _ if prefix.is_empty() => ident.to_string(),
        _ => format!("{prefix}::{ident}"),
    };
    if text[i..].starts_with("::") && ident != "self" {
        return i + 2 + expand(&text[i + 2..], &path, out);
    }
    out.push(path);
    i
}

/// The modules `module` uses.
fn uses(module: &str, source: &str, all: &BTreeMap<String, String>) -> BTreeSet<String> {
    let code = code_of(source);
    let children: Vec<&str> = code
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ").or_else(|| l.trim().strip_prefix("mod ")))
        .filter_map(|l| l.strip_suffix(';'))
        .collect();
    let parent = module.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
    let mut paths = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find(|c: char| c.is_ascii_alphabetic() || c == '_') {
        let before = rest[..at].chars().last();
        rest = &rest[at..];
        let word_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let word = &rest[..word_end];
        let is_path_start = before.is_none_or(|c| c != ':') && rest[word_end..].starts_with("::");
        if is_path_start {
            let base = match word {
                "crate" => Some(String::new()),
                "super" => Some(parent.to_string()),
                child if children.contains(&child) => {
                    Some(if module.is_empty() { child.to_string() } else { format!("{module}::{child}") })
                }
                _ => None,
            };
            if let Some(base) = base {
                let consumed = expand(&rest[word_end + 2..], &base, &mut paths);
                rest = &rest[word_end + 2 + consumed.min(rest.len() - word_end - 2)..];
                continue;
            }
        }
        rest = &rest[word_end..];
    }
    paths
        .into_iter()
        .filter_map(|path| {
            // The deepest module the path names (the rest is an item in it).
            let mut candidate = path.as_str();
            loop {
                if all.contains_key(candidate) {
                    return Some(candidate.to_string());
                }
                candidate = candidate.rsplit_once("::")?.0;
            }
        })
        .filter(|used| used != module && !used.is_empty())
        .collect()
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

#[test]
fn each_part_uses_only_the_parts_below_it() {
    let all = modules();
    let mut wrong = Vec::new();
    for (module, source) in &all {
        let Some((_, allowed)) = ALLOWED.iter().find(|(part, _)| *part == top(module)) else { continue };
        for used in uses(module, source, &all) {
            if top(&used) != top(module) && !allowed.contains(&top(&used)) {
                wrong.push(format!("{module} uses {used}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layering of docs/ARCHITECTURE.md:\n{}", wrong.join("\n"));
}

/// The browser's pages and widgets call the typed client (`client::api`), which knows
/// the paths (`shared::endpoints`): a page naming a URL of the API would be a second
/// route table the compiler cannot check against the server's.
#[test]
fn no_page_or_component_names_a_url_of_the_api() {
    let mut found = Vec::new();
    for (module, source) in modules() {
        if !matches!(top(&module), "pages" | "components") {
            continue;
        }
        for (n, line) in source.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("\"/api/") {
                found.push(format!("{module}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "API URLs outside client::api (call a function of client::api):\n{}", found.join("\n"));
}

/// Every module's `//!` doc names each of its child modules, so the doc of a folder
/// says what the folder holds, and a module added without a word about it fails here.
#[test]
fn every_module_is_named_in_its_parents_doc() {
    let mut unnamed = Vec::new();
    for (module, source) in modules() {
        let doc: String = source
            .lines()
            .take_while(|l| l.starts_with("//!") || l.trim().is_empty())
            .filter(|l| l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        let children = code_of(&source)
            .lines()
            .filter_map(|l| l.trim().strip_prefix("pub mod ").or_else(|| l.trim().strip_prefix("mod ")))
            .filter_map(|l| l.strip_suffix(';'))
            .map(str::to_string)
            .collect::<Vec<_>>();
        for child in children {
            let named = doc.match_indices(child.as_str()).any(|(at, _)| {
                let before = doc[..at].chars().last();
                let after = doc[at + child.len()..].chars().next();
                let word = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                word(before) && word(after)
            });
            if !named {
                let name = if module.is_empty() { "lib".to_string() } else { module.clone() };
                unnamed.push(format!("{name} does not name {child}"));
            }
        }
    }
    assert!(unnamed.is_empty(), "modules missing from their parent's doc:\n{}", unnamed.join("\n"));
}

/// Directly (`a` ↔ `b`) or through others (`a` → `b` → `c` → `a`).
#[test]
fn no_module_uses_a_module_that_uses_it_back() {
    let all = modules();
    let graph: BTreeMap<String, BTreeSet<String>> = all.iter().map(|(m, s)| (m.clone(), uses(m, s, &all))).collect();
    assert_eq!(cycles(&graph), Vec::<String>::new(), "modules that use themselves through others");
}

/// The circles in a graph of uses, each as `a -> b -> a`. A depth-first search: a use
/// that leads back into the path being walked closes a circle. Every graph with a
/// circle yields at least one; each is written from its smallest module, once.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    fn walk<'a>(
        module: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        finished: &mut BTreeSet<&'a str>,
        found: &mut BTreeSet<String>,
    ) {
        if let Some(at) = path.iter().position(|m| *m == module) {
            let mut circle = path[at..].to_vec();
            let smallest = circle.iter().enumerate().min_by_key(|(_, m)| **m).map_or(0, |(i, _)| i);
            circle.rotate_left(smallest);
            circle.push(circle[0]);
            found.insert(circle.join(" -> "));
            return;
        }
        if !finished.insert(module) {
            return;
        }
        path.push(module);
        for used in graph.get(module).into_iter().flatten() {
            walk(used, graph, path, finished, found);
        }
        path.pop();
    }
    let mut found = BTreeSet::new();
    let mut finished = BTreeSet::new();
    for module in graph.keys() {
        walk(module, graph, &mut Vec::new(), &mut finished, &mut found);
    }
    found.into_iter().collect()
}

#[test]
fn the_checker_finds_circles_of_any_length() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in edges {
            g.entry(from.to_string()).or_default().insert(to.to_string());
            g.entry(to.to_string()).or_default();
        }
        g
    };
    assert_eq!(cycles(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])), Vec::<String>::new());
    assert_eq!(cycles(&graph(&[("a", "b"), ("b", "a")])), ["a -> b -> a"]);
    assert_eq!(cycles(&graph(&[("x", "c"), ("c", "a"), ("a", "b"), ("b", "c")])), ["a -> b -> c -> a"]);
}

#[test]
fn the_checker_sees_nested_use_trees() {
    let all: BTreeMap<String, String> =
        ["a", "a::b", "a::c", "d"].iter().map(|m| (m.to_string(), String::new())).collect();
    let used = uses("d", "use crate::{a::{b::Thing, c}, d::x};\nfn f() { crate::a::b::g(); }", &all);
    assert_eq!(used, ["a::b", "a::c"].iter().map(|s| s.to_string()).collect());
}
