//! Endpoint ids for a batch: one file stem per endpoint, never one for two.
//!
//! An endpoint's id is its method and the path after the API version
//! ([`endpoint_id`]), which two routes can share: `GET api/2.0/project/status`
//! and `GET api/2.0/project/{status}` are both `get-project-status`, and
//! `people/@self` and `people/self` are both `get-people-self`. Writing both
//! would leave one file for two endpoints, the second silently replacing
//! the first. So ids are chosen for the whole batch at once, against the
//! spec files already in the output directory:
//!
//! 1. an endpoint whose route already has a spec file there keeps that
//!    file's id, so re-importing finds every file in place;
//! 2. an id no other endpoint of the batch wants and no file there holds is
//!    the endpoint's own, so the ids of endpoints that collide with nothing
//!    never change;
//! 3. the others, in the order of their method and path (not the order of
//!    the pages), spell each path parameter `by-name`
//!    (`get-project-by-status`) and, while that id is still taken, add
//!    `-2`, `-3`, …
//!
//! A spec file in the output directory that holds another route, or that
//! cannot be read, is never overwritten: its id is taken.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Imported, endpoint_id_spelled};

/// `(api, METHOD, path in lower case)`: what makes two pages one endpoint,
/// as the vendors' routers match literal segments ignoring case.
pub(crate) type RouteKey = (String, String, String);

/// The route key of an imported endpoint.
pub(crate) fn route_key(imported: &Imported) -> RouteKey {
    (
        imported.api.name.clone(),
        imported.spec.method.to_ascii_uppercase(),
        imported.spec.path.to_ascii_lowercase(),
    )
}

/// What a spec file already in the output directory holds.
#[derive(Debug, Clone)]
enum Holder {
    /// The spec of this route.
    Route { method: String, path: String },
    /// A file that cannot be read as a spec, for this reason.
    Unreadable(String),
}

/// The spec files already in the output directory, by route and by id.
#[derive(Debug, Default)]
pub(crate) struct Existing {
    by_route: HashMap<RouteKey, String>,
    by_id: HashMap<(String, String), (PathBuf, Holder)>,
}

/// The part of a spec file that says which route it is.
#[derive(Deserialize)]
struct Route {
    method: String,
    path: String,
}

impl Existing {
    /// Reads the endpoint files of `apis` in `specs` (`specs/<api>/*.json`,
    /// where the importer writes them). A missing directory holds nothing.
    pub(crate) fn scan<'a>(specs: &Path, apis: impl IntoIterator<Item = &'a str>) -> Existing {
        let mut existing = Existing::default();
        let mut seen = std::collections::BTreeSet::new();
        for api in apis {
            if !seen.insert(api.to_string()) {
                continue;
            }
            let Ok(entries) = fs::read_dir(specs.join(api)) else {
                continue;
            };
            let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for path in paths {
                let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                    continue;
                };
                if path.extension().is_none_or(|x| x != "json") || stem == "api" {
                    continue;
                }
                let holder = match crate::files::read_regular(&path) {
                    Ok(bytes) => match serde_json::from_slice::<Route>(&bytes) {
                        Ok(route) => Holder::Route {
                            method: route.method,
                            path: route.path,
                        },
                        Err(error) => Holder::Unreadable(format!("not a spec file: {error}")),
                    },
                    Err(error) => Holder::Unreadable(format!("cannot be read: {error}")),
                };
                let id = stem.to_ascii_lowercase();
                if let Holder::Route {
                    method,
                    path: route,
                } = &holder
                {
                    existing.by_route.insert(
                        (
                            api.to_string(),
                            method.to_ascii_uppercase(),
                            route.to_ascii_lowercase(),
                        ),
                        id.clone(),
                    );
                }
                existing.by_id.insert((api.to_string(), id), (path, holder));
            }
        }
        existing
    }

    /// The id of the spec file already holding `key`'s route, if one does.
    pub(crate) fn route_id(&self, key: &RouteKey) -> Option<&str> {
        self.by_route.get(key).map(String::as_str)
    }
}

/// Who holds an id while ids are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taken {
    /// A spec file in the output directory.
    File,
    /// An endpoint of the batch.
    Endpoint(usize),
}

/// Chooses every endpoint's id (see the module) and renames the endpoints
/// whose id is not the one their page gave them. Returns, per endpoint, a
/// note saying why its id differs from its method and path, if it does.
pub(crate) fn assign(endpoints: &mut [Imported], existing: &Existing) -> Vec<Option<String>> {
    let mut ids: Vec<Option<String>> = vec![None; endpoints.len()];
    let mut taken: HashMap<(String, String), Taken> = existing
        .by_id
        .keys()
        .map(|key| (key.clone(), Taken::File))
        .collect();

    // 1. A route already written keeps its file.
    for (index, endpoint) in endpoints.iter().enumerate() {
        if let Some(id) = existing.by_route.get(&route_key(endpoint)) {
            ids[index] = Some(id.clone());
        }
    }
    // 2. An id wanted once and free is the endpoint's own.
    let mut wanted: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (index, endpoint) in endpoints.iter().enumerate() {
        if ids[index].is_none() {
            wanted
                .entry((endpoint.api.name.clone(), endpoint.id.clone()))
                .or_default()
                .push(index);
        }
    }
    for (key, members) in &wanted {
        if let [only] = members.as_slice()
            && !taken.contains_key(key)
        {
            ids[*only] = Some(key.1.clone());
            taken.insert(key.clone(), Taken::Endpoint(*only));
        }
    }
    // 3. The rest, in route order.
    let mut rest: Vec<usize> = (0..endpoints.len()).filter(|&i| ids[i].is_none()).collect();
    rest.sort_by_key(|&i| route_key(&endpoints[i]));
    for &index in &rest {
        let endpoint = &endpoints[index];
        let api = endpoint.api.name.clone();
        let spelled = endpoint_id_spelled(&endpoint.spec.method, &endpoint.spec.path, true);
        let mut id = spelled.clone();
        let mut count = 1;
        while taken.contains_key(&(api.clone(), id.clone())) {
            count += 1;
            id = format!("{spelled}-{count}");
        }
        taken.insert((api, id.clone()), Taken::Endpoint(index));
        ids[index] = Some(id);
    }

    let mut notes = vec![None; endpoints.len()];
    for (index, id) in ids.into_iter().enumerate() {
        let Some(id) = id else { continue };
        if id == endpoints[index].id {
            continue;
        }
        let own = endpoints[index].id.clone();
        let key = (endpoints[index].api.name.clone(), own.clone());
        let mut holders: Vec<String> = wanted
            .get(&key)
            .into_iter()
            .flatten()
            .filter(|&&other| other != index)
            .map(|&other| {
                format!(
                    "{} {} (this import)",
                    endpoints[other].spec.method, endpoints[other].spec.path
                )
            })
            .collect();
        if let Some((path, holder)) = existing.by_id.get(&key) {
            holders.push(match holder {
                Holder::Route {
                    method,
                    path: route,
                } => {
                    format!("{method} {route} ({})", path.display())
                }
                Holder::Unreadable(why) => format!("{}, which is {why}", path.display()),
            });
        }
        if existing
            .by_route
            .contains_key(&route_key(&endpoints[index]))
        {
            notes[index] = Some(format!("keeps the id {id} its spec file already has"));
        } else if !holders.is_empty() {
            notes[index] = Some(format!(
                "named {id}: {own} is also {}",
                holders.join(" and ")
            ));
        }
        rename(&mut endpoints[index], &id);
    }
    notes
}

/// Gives `imported` the id `id`, moving its fixtures (named
/// `<api>/<id>/…`) along.
pub(crate) fn rename(imported: &mut Imported, id: &str) {
    let old = format!("{}/{}/", imported.api.name, imported.id);
    let new = format!("{}/{id}/", imported.api.name);
    let moved = |name: &mut String| {
        if let Some(rest) = name.strip_prefix(&old) {
            *name = format!("{new}{rest}");
        }
    };
    for (name, _) in &mut imported.fixtures {
        moved(name);
    }
    if let Some(body) = imported.spec.request.as_mut().and_then(|r| r.body.as_mut()) {
        moved(body);
    }
    for response in &mut imported.spec.responses {
        for fixture in [&mut response.json, &mut response.xml]
            .into_iter()
            .flatten()
        {
            moved(fixture);
        }
    }
    imported.id = id.to_string();
}
