#include "exec/slurm/slurm_executor.h"

#include <sys/stat.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/secret_masker.h"
#include "exec/helper_command.h"
#include "exec/log_capture.h"
#include "exec/slurm/job_environment.h"
#include "exec/slurm/job_state.h"
#include "exec/slurm/step_request_json.h"

extern char** environ;

namespace rampart::exec::slurm {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Job {
  StepRequest request;
  std::function<void(StepResult)> done;
  BatchJob batch;
  std::string job_id;  // empty until sbatch answered
  std::optional<std::string> kill_reason;
  bool cancel_sent = false;
  Clock::time_point cancel_time;
  int polls_missing = 0;          // squeue did not list the job
  int polls_ended_no_result = 0;  // squeue says ended, the result file is not there (yet)
};

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The last line the node-side runner printed, for a message when it left no result.
std::string last_output_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last.size() > 300 ? last.substr(0, 300) : last;
}

// The node masked the secrets its step got in its environment; the engine knows them all (a
// Secret volume's files, a value passed on in a parameter): mask the files again before the
// engine reads them.
void mask_step_output(const StepRequest& request, StepResult& result) {
  if (!request.masker || request.masker->empty()) return;
  for (const std::string* path : {&request.stdout_path, &request.log_path}) {
    if (path->empty()) continue;
    if (std::string error = mask_output_file(*path, *request.masker); !error.empty()) {
      result.message += (result.message.empty() ? "" : "; ") + error;
    }
  }
}

}  // namespace

struct SlurmExecutor::State {
  SlurmExecutorOptions options;
  std::mutex mu;
  std::condition_variable wake;                      // the monitor: a job to submit or kill, or stop
  std::condition_variable finished;                  // shutdown(): a job was removed
  std::map<std::string, std::shared_ptr<Job>> jobs;  // by step id
  std::deque<std::shared_ptr<Job>> to_submit;
  bool stopping = false;
  size_t callbacks_running = 0;  // removed from `jobs`, done() not yet returned
  std::thread monitor;
  Clock::time_point last_squeue{};

  void run();
  void submit(Job& job, std::vector<std::pair<std::shared_ptr<Job>, StepResult>>& ended,
              const std::shared_ptr<Job>& ptr);
  std::optional<StepResult> read_result(const Job& job);
  void poll_squeue(const std::vector<std::shared_ptr<Job>>& running,
                   std::vector<std::pair<std::shared_ptr<Job>, StepResult>>& ended);
};

SlurmExecutor::SlurmExecutor(SlurmExecutorOptions options) : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  // Fail at startup, not at the first step, when the cluster cannot be reached.
  auto probe = run_helper(
      {.argv = {state_->options.squeue, "--noheader", "--format=%i", "--jobs=1"}, .timeout = std::chrono::seconds(15)});
  if (probe.exit_code == -1)
    throw std::runtime_error("slurm executor: " + probe.error + " (is Slurm's client installed?)");
  if (!probe.error.empty()) {
    throw std::runtime_error("slurm executor: " + probe.error + ": is the Slurm controller reachable? (SLURM_CONF=" +
                             (std::getenv("SLURM_CONF") ? std::string(std::getenv("SLURM_CONF")) : "unset") + ")");
  }
  if (!probe.ok() && probe.err.find("Invalid job id") == std::string::npos) {
    throw std::runtime_error("slurm executor: squeue cannot reach the Slurm controller: " + probe.summary() +
                             " (set SLURM_CONF, or start a test cluster with scripts/slurm-cluster start)");
  }
  state_->monitor = std::thread([s = state_] { s->run(); });
}

SlurmExecutor::~SlurmExecutor() { shutdown(); }

void SlurmExecutor::start(StepRequest request, std::function<void(StepResult)> done) {
  auto job = std::make_shared<Job>();
  job->request = std::move(request);
  job->done = std::move(done);
  std::string refused;
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping)
      refused = "the slurm executor is shut down";
    else if (state_->jobs.count(job->request.id))
      refused = "step " + job->request.id + " is already running";
    if (refused.empty()) {
      state_->jobs[job->request.id] = job;
      state_->to_submit.push_back(job);
    }
  }
  if (!refused.empty()) {
    job->done(StepResult{StepOutcome::StartError, 0, refused, false});
    return;
  }
  state_->wake.notify_all();
}

void SlurmExecutor::kill(const std::string& id, const std::string& reason) {
  {
    std::lock_guard lock(state_->mu);
    auto it = state_->jobs.find(id);
    if (it == state_->jobs.end() || it->second->kill_reason) return;
    it->second->kill_reason = reason;
  }
  state_->wake.notify_all();
}

void SlurmExecutor::shutdown() {
  std::unique_lock lock(state_->mu);
  for (auto& [id, job] : state_->jobs) {
    if (!job->kill_reason) job->kill_reason = "rampart is shutting down";
  }
  state_->stopping = true;
  state_->wake.notify_all();
  state_->finished.wait(lock, [&] { return state_->jobs.empty() && state_->callbacks_running == 0; });
  lock.unlock();
  if (state_->monitor.joinable()) {
    if (state_->monitor.get_id() == std::this_thread::get_id())
      state_->monitor.detach();  // done() called shutdown
    else
      state_->monitor.join();
  }
}

std::optional<StepResult> SlurmExecutor::State::read_result(const Job& job) {
  if (!file_exists(job.batch.result_path)) return std::nullopt;
  StepResult result;
  try {
    result = result_from_json(read_json_file(job.batch.result_path));
  } catch (const std::exception& e) {
    result = StepResult{StepOutcome::StartError, 0,
                        std::string("unreadable step result from the Slurm node: ") + e.what(), false};
  }
  // scancel's SIGTERM reaches every process of the job, the step's own too, so a step the engine
  // killed may show up as killed by step-exec or as exited by the signal: either way it is the
  // engine's kill, with its reason. A step that succeeded before the kill keeps its success.
  if (job.kill_reason && result.outcome != StepOutcome::StartError &&
      (result.outcome == StepOutcome::Killed || result.exit_code != 0)) {
    result = StepResult{StepOutcome::Killed, 137, *job.kill_reason, result.output_truncated};
  }
  return result;
}

void SlurmExecutor::State::submit(Job& job, std::vector<std::pair<std::shared_ptr<Job>, StepResult>>& ended,
                                  const std::shared_ptr<Job>& ptr) {
  auto fail = [&](const std::string& message) {
    ended.emplace_back(ptr, StepResult{StepOutcome::StartError, 0, message, false});
  };
  try {
    job.batch = plan_batch_job(job.request, options.job);
    fs::create_directories(job.batch.dir);
    fs::permissions(job.batch.dir, fs::perms::owner_all, fs::perm_options::replace);
    std::error_code ec;
    fs::remove(job.batch.result_path, ec);  // a retry reusing the dir must not see an old result
    write_file_atomically(job.batch.request_path, request_to_json(job.request).dump(), 0600);
    write_file_atomically(job.batch.script_path, job.batch.script, 0700);
  } catch (const std::exception& e) {
    fail(std::string("cannot prepare the Slurm job: ") + e.what());
    return;
  }
  std::vector<std::string> argv = {options.sbatch};
  argv.insert(argv.end(), job.batch.sbatch_args.begin(), job.batch.sbatch_args.end());
  static const std::vector<std::string> environment = environment_for_slurm_job(environ);
  auto out = run_helper({.argv = argv, .timeout = std::chrono::seconds(60), .environment = environment});
  std::string id = out.out.substr(0, out.out.find_first_of(";\n"));
  if (!out.ok() || id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
    fail("sbatch failed: " + out.summary());
    return;
  }
  std::lock_guard lock(mu);
  job.job_id = id;
}

void SlurmExecutor::State::poll_squeue(const std::vector<std::shared_ptr<Job>>& running,
                                       std::vector<std::pair<std::shared_ptr<Job>, StepResult>>& ended) {
  std::string ids;
  for (const auto& job : running) ids += (ids.empty() ? "" : ",") + job->job_id;
  auto out = run_helper({.argv = {options.squeue, "--noheader", "--states=all", "--format=%i|%T", "--jobs=" + ids},
                         .timeout = std::chrono::seconds(30)});
  std::map<std::string, std::string> states;
  if (out.ok()) {
    states = parse_squeue_states(out.out);
  } else if (out.err.find("Invalid job id") == std::string::npos) {
    return;  // the controller did not answer: ask again next time rather than fail steps
  }
  for (const auto& job : running) {
    std::optional<std::string> kill_reason;
    {
      std::lock_guard lock(mu);
      kill_reason = job->kill_reason;
    }
    auto it = states.find(job->job_id);
    bool gone = it == states.end();
    JobState state = gone ? JobState::Unknown : parse_job_state(it->second);
    if (!gone && !is_terminal(state)) {
      job->polls_missing = job->polls_ended_no_result = 0;
      continue;
    }
    // The result file may reach this host a little after the job ended (shared filesystems
    // cache): re-read it, and give it one more poll before deciding without it.
    if (auto result = read_result(*job)) {
      ended.emplace_back(job, *result);
      continue;
    }
    int& polls = gone ? job->polls_missing : job->polls_ended_no_result;
    if (++polls < 2 && !kill_reason) continue;
    StepResult result;
    if (gone) {
      result =
          kill_reason
              ? StepResult{StepOutcome::Killed, 137, *kill_reason, false}
              : StepResult{StepOutcome::StartError, 0,
                           "Slurm job " + job->job_id + " is no longer known to Slurm and left no step result", false};
    } else {
      result = result_for_job_without_result(state, it->second, kill_reason);
    }
    if (result.outcome == StepOutcome::StartError) {
      std::string why = last_output_line(job->batch.output_path);
      if (!why.empty()) result.message += ": " + why;
    }
    ended.emplace_back(job, result);
  }
}

void SlurmExecutor::State::run() {
  while (true) {
    std::vector<std::shared_ptr<Job>> submit_now, cancel_now, running;
    {
      std::unique_lock lock(mu);
      wake.wait_for(lock, options.result_poll, [&] {
        if (!to_submit.empty()) return true;
        for (auto& [id, job] : jobs) {
          if (job->kill_reason && !job->job_id.empty() && !job->cancel_sent) return true;
        }
        return stopping && jobs.empty();
      });
      if (stopping && jobs.empty()) return;  // shutdown() waits for callbacks_running itself
      submit_now.assign(to_submit.begin(), to_submit.end());
      to_submit.clear();
      for (auto& [id, job] : jobs) {
        if (job->job_id.empty()) continue;
        running.push_back(job);
        if (job->kill_reason && !job->cancel_sent) cancel_now.push_back(job);
      }
    }
    std::vector<std::pair<std::shared_ptr<Job>, StepResult>> ended;
    for (auto& job : submit_now) {
      std::optional<std::string> kill_reason;
      {
        std::lock_guard lock(mu);
        kill_reason = job->kill_reason;
      }
      // Killed before it was submitted: nothing reached Slurm.
      if (kill_reason)
        ended.emplace_back(job, StepResult{StepOutcome::Killed, 137, *kill_reason, false});
      else
        submit(*job, ended, job);
    }
    for (auto& job : cancel_now) {
      // scancel signals every process of the job (SIGTERM, then SIGKILL after KillWait): the
      // node-side runner kills the step with its own executor and writes a Killed result.
      run_helper({.argv = {options.scancel, job->job_id}, .timeout = std::chrono::seconds(30)});
      std::lock_guard lock(mu);
      job->cancel_sent = true;
      job->cancel_time = Clock::now();
    }
    std::vector<std::shared_ptr<Job>> unresolved;
    bool cancelling = false;
    for (auto& job : running) {
      if (auto result = read_result(*job)) {
        ended.emplace_back(job, *result);
        continue;
      }
      if (job->cancel_sent && Clock::now() - job->cancel_time > options.cancel_grace) {
        ended.emplace_back(job, StepResult{StepOutcome::Killed, 137, *job->kill_reason, false});
        continue;
      }
      cancelling = cancelling || job->cancel_sent;
      unresolved.push_back(job);
    }
    // Cancelled jobs are asked about more often: the engine waits for them to end.
    auto interval = cancelling ? std::min(options.squeue_poll, std::chrono::milliseconds(500)) : options.squeue_poll;
    if (!unresolved.empty() && Clock::now() - last_squeue >= interval) {
      last_squeue = Clock::now();
      poll_squeue(unresolved, ended);
    }
    if (ended.empty()) continue;
    {
      std::lock_guard lock(mu);
      for (auto& [job, result] : ended) jobs.erase(job->request.id);
      callbacks_running += ended.size();
    }
    for (auto& [job, result] : ended) {
      mask_step_output(job->request, result);
      job->done(result);
      std::lock_guard lock(mu);
      --callbacks_running;
    }
    finished.notify_all();
  }
}

std::unique_ptr<Executor> make_slurm_executor(SlurmExecutorOptions options) {
  return std::make_unique<SlurmExecutor>(std::move(options));
}

}  // namespace rampart::exec::slurm
