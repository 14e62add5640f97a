// A pull request's application events, read the same way by the plan comment
// (pull-request-comment.yml, from the default branch's checkout) and by the merge workflow
// (provision.yml): when the application was entered and when it was accepted (受付).
'use strict';

const fs = require('fs');

// The code owners `path` (.github/CODEOWNERS, made from maintainers.yaml) names, lower-cased;
// null where the repository keeps no such file.
function codeOwners(path) {
  if (!fs.existsSync(path)) return null;
  return new Set(fs.readFileSync(path, 'utf8').split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .flatMap((line) => line.trim().split(/\s+/).slice(1))
    .filter((owner) => owner.startsWith('@'))
    .map((owner) => owner.slice(1).toLowerCase()));
}

// Entered: opened, or last marked ready for review. Accepted: the last approval by a code
// owner (an approval by anyone else dates nothing; by anyone where `owners` is null), or
// null. Both as the API gives them (UTC).
function applicationEvents(pr, timeline, reviews, owners) {
  const ready = timeline.filter((e) => e.event === 'ready_for_review').map((e) => e.created_at);
  const approved = reviews.filter((r) => r.state === 'APPROVED' && r.submitted_at
    && (owners === null || (Boolean(r.user) && owners.has(r.user.login.toLowerCase()))));
  return {
    entered_at: ready.length > 0 ? ready[ready.length - 1] : pr.created_at,
    accepted_at: approved.length > 0 ? approved[approved.length - 1].submitted_at : null,
  };
}

// A time as its day in Japan (UTC+9, which keeps no summer time).
function dayInJapan(time) {
  return new Date(new Date(time).getTime() + 9 * 3600 * 1000).toISOString().slice(0, 10);
}

module.exports = { codeOwners, applicationEvents, dayInJapan };
