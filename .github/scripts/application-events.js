// A pull request's application events, read the same way by the plan comment
// (pull-request-comment.yml, from the default branch's checkout) and by the merge workflow
// (provision.yml, and scheduled.yml when it catches up): when the application was entered and
// when it was accepted (受付).
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

// The merged pull requests of the merges listed in `mergesFile` (oldest first, as
// merges-to-apply.sh writes them), written to `outFile` as apply's --pull-requests reads them:
// for each merge commit, its pull request's number, title, and the days it was entered,
// accepted and merged. A merge the API does not tie to a pull request (a direct push) is left
// out; apply dates it by its own day and the outputs say so. All are gathered, oldest first:
// should the API refuse (its hourly limit after a long stop), the merges not reached yet are
// dated by their merge day too, possibly a later batch than their acceptance allows (000
// §5-1), and the run warns how many, rather than holding back every merge.
async function gatherMergedPullRequests(github, context, core, mergesFile, outFile) {
  const shas = fs.readFileSync(mergesFile, 'utf8').split('\n').filter((s) => s);
  const owners = codeOwners('.github/CODEOWNERS');
  const found = [];
  let reached = 0;
  let refusal = null;
  for (const sha of shas) {
    try {
      const { data: pulls } = await github.rest.repos.listPullRequestsAssociatedWithCommit({
        ...context.repo, commit_sha: sha,
      });
      const pr = pulls.find((p) => p.merge_commit_sha === sha);
      if (pr) {
        const timeline = await github.paginate(github.rest.issues.listEventsForTimeline, {
          ...context.repo, issue_number: pr.number, per_page: 100,
        });
        const reviews = await github.paginate(github.rest.pulls.listReviews, {
          ...context.repo, pull_number: pr.number, per_page: 100,
        });
        found.push({
          merge_commit: sha,
          number: pr.number,
          title: pr.title,
          ...applicationEvents(pr, timeline, reviews, owners),
          merged_at: pr.merged_at,
        });
      }
    } catch (error) {
      refusal = error;
      break;
    }
    reached += 1;
  }
  fs.writeFileSync(outFile, JSON.stringify(found, null, 2));
  if (refusal !== null) {
    const left = shas.length - reached;
    const why = String(refusal.message || refusal).split('\n')[0];
    core.warning(
      `マージ ${shas.length} 件のうち ${left} 件（${shas[reached].slice(0, 12)} 以降）は、`
      + `GitHub からプルリクエストの申請日・受付日を取得できなかったため（${why}）、`
      + 'マージの日を受付日として反映します。本来より後の処理日になることがあります。 / '
      + `${left} of ${shas.length} merges (from ${shas[reached].slice(0, 12)}) are dated by `
      + `their merge day: GitHub did not give their pull requests' dates (${why}).`,
    );
  }
  return { merges: shas.length, undated: shas.length - reached };
}

module.exports = { codeOwners, applicationEvents, dayInJapan, gatherMergedPullRequests };
