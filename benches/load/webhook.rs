//! A GitHub `workflow_job` webhook body made up here in the shape GitHub sends (the fields
//! ciotel reads and the usual ones around them). Shared by the load driver and benches/cicd.rs.

/// The `completed` delivery of job `seq` (four jobs to a run, all succeeded) with `steps`
/// steps of five minutes each.
pub fn workflow_job(seq: u64, steps: usize) -> String {
    let job_id = 30_000_000_000 + seq;
    let run_id = 12_000_000_000 + seq / 4;
    let at = |minutes: usize| {
        format!(
            "2026-12-04T{:02}:{:02}:00Z",
            10 + minutes / 60,
            minutes % 60
        )
    };
    let step_list: Vec<String> = (0..steps)
        .map(|n| {
            format!(
                r#"{{"name":"Step {n}","status":"completed","conclusion":"success","number":{},"started_at":"{}","completed_at":"{}"}}"#,
                n + 1,
                at(1 + n * 5),
                at(5 + n * 5)
            )
        })
        .collect();
    let repo = "octo-org/bench";
    format!(
        r#"{{"action":"completed","workflow_job":{{"id":{job_id},"run_id":{run_id},"workflow_name":"CI","head_branch":"main","run_url":"https://api.github.com/repos/{repo}/actions/runs/{run_id}","run_attempt":1,"node_id":"CR_kwDOBench","head_sha":"0123456789abcdef0123456789abcdef01234567","url":"https://api.github.com/repos/{repo}/actions/jobs/{job_id}","html_url":"https://github.com/{repo}/actions/runs/{run_id}/job/{job_id}","status":"completed","conclusion":"success","created_at":"{}","started_at":"{}","completed_at":"{}","name":"build ({})","steps":[{}],"check_run_url":"https://api.github.com/repos/{repo}/check-runs/{job_id}","labels":["ubuntu-latest"],"runner_id":7,"runner_name":"GitHub Actions 7","runner_group_id":2,"runner_group_name":"GitHub Actions"}},"repository":{{"id":4242,"node_id":"R_kgDOBench","name":"bench","full_name":"{repo}","private":false,"owner":{{"login":"octo-org","id":99,"type":"Organization"}},"html_url":"https://github.com/{repo}","default_branch":"main"}},"organization":{{"login":"octo-org","id":99}},"sender":{{"login":"octocat","id":1,"type":"User"}}}}"#,
        at(0),
        at(1),
        at(5 + steps * 5),
        seq % 4,
        step_list.join(",")
    )
}
