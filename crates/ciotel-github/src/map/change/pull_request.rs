//! `pull_request` → the change's lifecycle event; `pull_request_review` → a review.
//!
//! | action | change action |
//! |---|---|
//! | opened | opened |
//! | synchronize | pushed |
//! | ready_for_review | ready for review |
//! | review_requested | review requested (user login, else team slug) |
//! | closed, `merged_at` set | merged (and the merge revision for the delivery cache) |
//! | closed, not merged | closed |
//! | reopened | reopened |
//! | anything else (edited, labeled, assigned, converted_to_draft, locked, …) | edited: no span |
//!
//! Reviews: `submitted` and `dismissed` map (`edited` does not: the same review id would get
//! a second, different span).

use ciotel_cicd::change::{
    ChangeAction, ChangeBatch, ChangeEvent, ChangeUpdate, MergeSeen, RefRevision, Review,
    ReviewState,
};
use ciotel_cicd::semconv::change_state;

use super::{change_ref, non_empty};
use crate::GithubError;
use crate::map::time::parse;
use crate::payload::{
    PullRequestBranch, PullRequestEvent, PullRequestObject, PullRequestReviewEvent,
};

pub(crate) fn pull_request(e: &PullRequestEvent) -> Result<ChangeBatch, GithubError> {
    let pr = &e.pull_request;
    let Some(number) = pr.number.or(e.number) else {
        return Ok(ChangeBatch::default());
    };
    let Some(change) = change_ref(e.repository.as_ref(), number) else {
        return Ok(ChangeBatch::default());
    };
    let t = |v: &Option<String>, name: &str| parse(v.as_deref(), "pull_request", name);
    let (opened_at, updated_at) = (
        t(&pr.created_at, "created_at")?,
        t(&pr.updated_at, "updated_at")?,
    );
    let (closed_at, merged_at) = (
        t(&pr.closed_at, "closed_at")?,
        t(&pr.merged_at, "merged_at")?,
    );
    let merged = merged_at.is_some() || pr.merged == Some(true);
    let (action, at) = match e.action.as_deref() {
        Some("opened") => (ChangeAction::Opened, opened_at),
        Some("synchronize") => (ChangeAction::Pushed, updated_at),
        Some("ready_for_review") => (ChangeAction::ReadyForReview, updated_at),
        Some("review_requested") => {
            let who = e
                .requested_reviewer
                .as_ref()
                .and_then(|u| u.login.clone())
                .or_else(|| e.requested_team.as_ref().and_then(|t| t.slug.clone()));
            match who {
                Some(reviewer) => (ChangeAction::ReviewRequested { reviewer }, updated_at),
                None => (ChangeAction::Edited, updated_at),
            }
        }
        Some("closed") if merged => (ChangeAction::Merged, merged_at.or(closed_at)),
        Some("closed") => (ChangeAction::Closed, closed_at),
        Some("reopened") => (ChangeAction::Reopened, updated_at),
        _ => (ChangeAction::Edited, updated_at),
    };
    let mut head = side(pr.head.as_ref());
    if action == ChangeAction::Pushed {
        head.revision = e.after.clone().or(head.revision);
    }
    let state = if merged {
        change_state::MERGED
    } else if pr.state.as_deref() == Some("closed") {
        change_state::CLOSED
    } else if pr.draft == Some(true) {
        change_state::WIP
    } else {
        change_state::OPEN
    };
    let merge_revision = non_empty(pr.merge_commit_sha.as_deref())
        .filter(|_| merged)
        .map(str::to_owned);
    let base = side(pr.base.as_ref());
    let merges = match (&action, &merge_revision) {
        (ChangeAction::Merged, Some(rev)) => vec![MergeSeen {
            change: change.clone(),
            revision: rev.clone(),
            base_ref: base.name.clone(),
            merged_at,
        }],
        _ => Vec::new(),
    };
    let update = ChangeUpdate {
        change,
        action,
        at,
        title: pr.title.clone(),
        state: Some(state.to_owned()),
        draft: pr.draft,
        author: login(pr),
        head,
        base,
        opened_at,
        closed_at,
        merged_at,
        merge_revision,
        merged_by: pr.merged_by.as_ref().and_then(|u| u.login.clone()),
        previous_head: e.before.clone(),
        url: pr.html_url.clone(),
        attributes: Vec::new(),
    };
    Ok(ChangeBatch {
        events: vec![ChangeEvent::Update(update)],
        merges,
    })
}

pub(crate) fn review(e: &PullRequestReviewEvent) -> Result<ChangeBatch, GithubError> {
    let state = match e.action.as_deref() {
        Some("dismissed") => ReviewState::Dismissed,
        Some("submitted") => match e
            .review
            .state
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("approved") => ReviewState::Approved,
            Some("changes_requested") => ReviewState::ChangesRequested,
            Some("dismissed") => ReviewState::Dismissed,
            _ => ReviewState::Commented,
        },
        _ => return Ok(ChangeBatch::default()),
    };
    let Some(change) = e
        .pull_request
        .number
        .and_then(|n| change_ref(e.repository.as_ref(), n))
    else {
        return Ok(ChangeBatch::default());
    };
    let r = &e.review;
    let review = Review {
        change,
        review_id: r.id.to_string(),
        reviewer: r.user.as_ref().and_then(|u| u.login.clone()),
        state,
        state_detail: r.state.clone(),
        submitted_at: parse(r.submitted_at.as_deref(), "review", "submitted_at")?,
        revision: r.commit_id.clone(),
        url: r.html_url.clone(),
    };
    Ok(ChangeBatch {
        events: vec![ChangeEvent::Review(review)],
        merges: Vec::new(),
    })
}

fn side(b: Option<&PullRequestBranch>) -> RefRevision {
    RefRevision {
        name: b.and_then(|b| b.ref_name.clone()),
        revision: b.and_then(|b| b.sha.clone()),
    }
}

fn login(pr: &PullRequestObject) -> Option<String> {
    pr.user.as_ref().and_then(|u| u.login.clone())
}
