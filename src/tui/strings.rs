//! Every fixed string the console shows, in one place.

/// The app name in the title bar.
pub const APP_TITLE: &str = "schemagate";
/// Shown when the terminal is smaller than the layout needs.
pub const TOO_SMALL: &str = "terminal too small: schemagate needs at least 40x12";
/// Title of the queue.
pub const QUEUE_TITLE: &str = "Open PRs touching migrations";
/// The queue tab of every open PR (before the configured sections).
pub const ALL_OPEN_PRS: &str = "All open PRs";
/// Queue footer, before [`QUEUE_HINT`], when the queue has sections.
pub const SECTIONS_HINT: &str = "{next_pane} section  ";
/// Queue footer (`{action}`: the key in force, see `Keymap::fill`).
pub const QUEUE_HINT: &str = "{open} open  {search} search  {sort} sort  {filter_risk} risk  \
     {filter_repo} repo  {filter_mine} mine  {refresh} reload  {audit} audit  {help} help  {quit} quit";
/// Shown while the queue loads and no PR arrived yet.
pub const LOADING: &str = "loading the open PRs…";
/// Shown when the filter hides every PR.
pub const NO_MATCH: &str = "no PR matches the filter";
/// Review footer.
pub const REVIEW_HINT: &str = "{next_pane} pane  {down}/{up} scroll  {tick} tick  {waive} waive  \
     {note} note  {verdict} verdict  {back} queue  {help} help";
/// Pane titles: schema diff, cascade, findings, checklist.
pub const PANE_TITLES: [&str; 4] = ["Schema diff", "Cascade", "Findings", "Checklist"];
/// Title of the diff pane while it shows the migration text.
pub const RAW_DIFF_TITLE: &str = "Migration text ({raw_diff}: schema diff)";
/// Schema diff pane when nothing changed.
pub const NO_SCHEMA_CHANGE: &str = "no schema change";
/// Cascade pane when no cascade grew.
pub const NO_CASCADE_CHANGE: &str = "no ON DELETE cascade path added or widened";
/// Told when a finding has no statement in the migration text to jump to.
pub const NO_STATEMENT: &str = "this finding is about a whole file: no statement to show";
/// Findings pane when there are none.
pub const NO_FINDINGS: &str = "no findings";
/// Prompt while typing a waiver reason.
pub const WAIVE_PROMPT: &str = "waive with reason (Enter to save, Esc to cancel): ";
/// Told when a waiver is given without a reason (the prompt stays).
pub const WAIVE_NEEDS_REASON: &str = "a waiver needs a written reason (Esc to cancel): ";
/// Prompt while typing a note.
pub const NOTE_PROMPT: &str = "note (Enter to save, Esc to cancel): ";
/// Told when a note is empty (the prompt stays).
pub const NOTE_NEEDS_TEXT: &str = "a note needs text (Esc to cancel): ";
/// Starts the prompt of a note about one statement (`note on file:line: `).
pub const NOTE_ON: &str = "note (Enter to save, Esc to cancel) on";
/// Marks a note drawn below the statement it is about.
pub const NOTE_MARK: &str = "    ✎ ";
/// Marks a cascade edge the PR adds or widens.
pub const CASCADE_NEW: &str = "  (new)";
/// Marks a cascade edge the Prisma client emulates.
pub const CASCADE_EMULATED: &str = "  [emulated by Prisma]";
/// Heading of the notes below the checklist.
pub const NOTES_HEADING: &str = "Notes";
/// Title of the verdict dialog.
pub const VERDICT_TITLE: &str = "Verdict";
/// The verdict choices, in dialog order.
pub const VERDICT_CHOICES: [&str; 3] = ["Approve", "Request changes", "Block"];
/// Said when Block is suggested.
pub const BLOCK_SUGGESTED: &str = "Block is suggested: a CRITICAL finding is open.";
/// Asked before recording.
pub const CONFIRM: &str = "Allowed. Press {yes} to record it, {back} to cancel.";
/// Asked before sending to GitHub.
pub const CONFIRM_SEND: &str = "Allowed. Press {yes} to send it to GitHub, {back} to cancel.";
/// Below the verdict choices.
pub const VERDICT_CHOOSING: &str = "{open}: check the gates · {back}: cancel";
/// Below the reasons of a refusal.
pub const VERDICT_REFUSED: &str = "{open}: choose again · {back}: cancel";
/// How the verdict preview scrolls.
pub const PREVIEW_SCROLL: &str = "{down}/{up} {page_up}/{page_down} scroll";
/// Heading of the refusal reasons.
pub const REFUSED: &str = "Refused";
/// Said once a demo verdict is recorded.
pub const RECORDED_LOCALLY: &str = "recorded locally — not sent to GitHub (demo / local checkout)";
/// Title of the help overlay.
pub const HELP_TITLE: &str = "Keys ({back} or {help} to close)";
/// Marks a required checklist item (right after its box).
pub const REQUIRED_MARK: &str = "*";

/// Under a checklist item carried from an earlier head whose evidence changed.
pub const LOOK_AGAIN: &str =
    "    look again: the evidence changed since your last review (Space confirms)";
/// Title bar on the audit screen.
pub const AUDIT_TITLE_BAR: &str = " · decision log";
/// Title of the audit list.
pub const AUDIT_TITLE: &str = "Past decisions, newest first";
/// Audit list when no decision passes the filter.
pub const AUDIT_EMPTY: &str = "no decision matches ({verdict} verdict, {filter_risk} risk, {filter_repo} repo change the filter)";
/// Audit footer.
pub const AUDIT_HINT: &str = "{open} open  {verdict} verdict  {filter_risk} risk  {filter_repo} repo  \
     {down}/{up} move  {back} queue  {help} help  {quit} quit";
/// Audit footer while a decision is open.
pub const AUDIT_DETAIL_HINT: &str =
    "{down}/{up} scroll  {back} or {open} back to the list  {help} help";
/// Marks a stale approval in the audit list.
pub const AUDIT_STALE: &str = "stale";
/// Starts the reasons of a stale approval.
pub const AUDIT_STALE_APPROVAL: &str = "stale approval";
/// Heading of the checklist of an opened decision.
pub const AUDIT_CHECKLIST: &str = "Checklist as ticked";
/// Heading of the findings of an opened decision.
pub const AUDIT_FINDINGS: &str = "Findings";
/// Warning: the hash chain is broken.
pub const AUDIT_TAMPERED: &str = "the decision log was tampered with (audit --verify)";
/// Warning: the chain could not be checked.
pub const AUDIT_VERIFY_FAILED: &str = "the decision log could not be verified";
/// Warning: the log could not be read.
pub const AUDIT_READ_FAILED: &str = "the decision log could not be read";
/// Warning: lines that are not decisions.
pub const AUDIT_UNREADABLE: &str = "decision log lines that are not decisions:";
/// Warning: a torn last line.
pub const AUDIT_TORN: &str = "of the decision log is torn (a crash while writing)";
/// Warning: the local checkout could not be read for current heads.
pub const AUDIT_NO_HEADS: &str = "stale approvals not checked against";
/// Said while the local checkout's PR heads are read (stale approvals not all marked yet).
pub const AUDIT_CHECKING_HEADS: &str = "checking the checkout's PR heads…";
/// Title of the audit screen's comparison with GitHub (followed by `N days`).
pub const AUDIT_GITHUB_TITLE: &str = "GitHub, last";
/// Said while GitHub's migration PRs are read for the audit screen.
pub const AUDIT_GITHUB_READING: &str = "reading GitHub…";
/// Starts the message when GitHub could not be read for the audit screen.
pub const AUDIT_GITHUB_FAILED: &str = "GitHub could not be read";
/// Heading of the merged PRs without an approving data review.
pub const AUDIT_GITHUB_MERGED: &str = "Merged without an approving data review";
/// Heading of the approvals on GitHub the log does not have.
pub const AUDIT_GITHUB_UNLOGGED: &str = "Approvals on GitHub the log does not have";
/// The queue's Mine heading when the decision log fails its check.
pub const QUEUE_MINE_BROKEN: &str = "Mine!";
/// The queue's status line when the decision log fails its check.
pub const QUEUE_LOG_BROKEN: &str =
    "the decision log fails its check, Mine may be wrong (schemagate audit --verify)";
/// Heading of the reviews schemagate sent whose record is gone from the decision log.
pub const AUDIT_GITHUB_MISSING: &str =
    "Sent reviews whose log record is gone (removed or rewritten)";

/// Said when the draft opened was ticked offline (`schemagate --repo PATH`), before the
/// repository name it was saved under.
pub const ADOPTED_OFFLINE: &str = "checklist ticked offline adopted from the local checkout";
