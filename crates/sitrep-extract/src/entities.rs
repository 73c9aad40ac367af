//! In-article entity resolution: the named-entity mentions of the analysis grouped into
//! entities, each with a canonical name, a type, roles, and every mention (names, pronouns,
//! descriptions) with its byte span.
//!
//! Interface first (issue 4); the grouping below is the plain baseline (identical text and
//! type), to be replaced by the full resolution: surnames and titles joining full names,
//! roles from appositions and pre-modifiers, pronouns and "the president"-style descriptions,
//! metonyms tied to their state.

use std::ops::Range;

use sitrep_nlp::Doc;

/// How an entity is mentioned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionKind {
    /// A proper name ("Karoline Leavitt", "Leavitt", "the Kremlin" as written).
    Name,
    /// A personal pronoun ("she", "they").
    Pronoun,
    /// A definite description ("the president", "the envoy").
    Description,
}

/// One mention: tokens `tokens` and bytes `start..end` of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityMention {
    pub tokens: Range<usize>,
    pub start: usize,
    pub end: usize,
    pub kind: MentionKind,
}

/// One entity of the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEntity {
    /// The fullest name the article gives ("Karoline Leavitt").
    pub name: String,
    /// OntoNotes type ("PERSON", "ORG", "GPE", ...).
    pub kind: String,
    /// Titles and roles the article gives it ("White House Press Secretary").
    pub roles: Vec<String>,
    /// Every mention, in text order.
    pub mentions: Vec<EntityMention>,
}

/// The entities of one article, and which entity each token's mention belongs to.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    pub entities: Vec<ResolvedEntity>,
    token_entity: Vec<Option<usize>>,
}

impl Resolution {
    /// Builds the token index from the entities' mentions (`n_tokens` tokens in the doc).
    pub fn new(entities: Vec<ResolvedEntity>, n_tokens: usize) -> Self {
        let mut token_entity = vec![None; n_tokens];
        for (e, entity) in entities.iter().enumerate() {
            for m in &entity.mentions {
                for slot in token_entity.get_mut(m.tokens.clone()).into_iter().flatten() {
                    *slot = Some(e);
                }
            }
        }
        Resolution {
            entities,
            token_entity,
        }
    }

    /// The entity whose mention covers token `token`, if any.
    pub fn entity_at(&self, token: usize) -> Option<usize> {
        self.token_entity.get(token).copied().flatten()
    }

    /// The contract's form: ids `e1`, `e2`, ... in order of first mention.
    pub fn to_model(&self, doc: &Doc) -> Vec<sitrep_model::Entity> {
        self.entities
            .iter()
            .enumerate()
            .map(|(i, e)| sitrep_model::Entity {
                id: entity_id(i),
                name: e.name.clone(),
                kind: e.kind.clone(),
                roles: e.roles.clone(),
                mentions: e
                    .mentions
                    .iter()
                    .map(|m| sitrep_model::Mention {
                        text: doc.text[m.start..m.end].to_string(),
                        start: m.start,
                        end: m.end,
                    })
                    .collect(),
            })
            .collect()
    }
}

/// The contract id of entity `index`.
pub fn entity_id(index: usize) -> String {
    format!("e{}", index + 1)
}

/// Resolves the entities of one analysed body.
pub fn resolve(doc: &Doc) -> Resolution {
    let mut entities: Vec<ResolvedEntity> = Vec::new();
    for ent in &doc.entities {
        let text = &doc.text[ent.start..ent.end];
        let mention = EntityMention {
            tokens: ent.tokens.clone(),
            start: ent.start,
            end: ent.end,
            kind: MentionKind::Name,
        };
        match entities
            .iter_mut()
            .find(|e| e.kind == ent.label && e.name == text)
        {
            Some(e) => e.mentions.push(mention),
            None => entities.push(ResolvedEntity {
                name: text.to_string(),
                kind: ent.label.to_string(),
                roles: Vec::new(),
                mentions: vec![mention],
            }),
        }
    }
    Resolution::new(entities, doc.tokens.len())
}
