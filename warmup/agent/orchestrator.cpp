#include "warmup/agent/orchestrator.hpp"

#include <random>

#include "licensing/host/readiness.hpp"
#include "warmup/agent/exit_codes.hpp"
#include "warmup/agent/gate_journal.hpp"
#include "warmup/agent/verdict.hpp"

namespace rdwarm::agent {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string seconds_text(milliseconds ms) {
  const auto tenths = ms.count() / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

std::uint64_t pick_seed(std::uint64_t configured) {
  if (configured != 0) return configured;
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

Orchestrator::Orchestrator(WarmupOptions options, WarmupDeps deps)
    : options_(std::move(options)), deps_(std::move(deps)) {
  if (!deps_.run_probe)
    deps_.run_probe = [](const probe::ProbeOptions& o) { return probe::run_probe(o); };
  if (!deps_.log) deps_.log = [](LogLevel, const std::string&) {};
}

void Orchestrator::request_stop() {
  {
    const std::lock_guard lock(stop_mutex_);
    stop_ = true;
  }
  stop_cv_.notify_all();
}

void Orchestrator::enter(AgentPhase phase, const std::string& message, LogLevel level,
                         const std::function<void(AgentStatus&)>& also) {
  deps_.log(level, phase_name(phase) + ": " + message);
  deps_.board.update([&](AgentStatus& s) {
    if (also) also(s);
    s.phase = phase;
    s.updated_at = std::chrono::system_clock::now();
    if (!message.empty()) {
      s.reasons.insert(s.reasons.begin(), message);
      if (s.reasons.size() > 5) s.reasons.resize(5);
    }
  });
}

void Orchestrator::event(std::uint32_t id, host::EventSeverity severity,
                         const std::string& message) {
  auto written = deps_.platform.write_event({id, severity, message});
  if (!written) deps_.log(LogLevel::kWarning, "event log: " + written.error().message());
}

void Orchestrator::journal(const std::string& gate_state, bool finished) {
  if (options_.journal_file.empty()) return;
  GateJournalEntry e;
  e.boot_id = boot_id_;
  e.gate_kind = deps_.gate.kind();
  e.gate_state = gate_state;
  e.warmup_started_at = warmup_started_at_;
  e.updated_at = std::chrono::system_clock::now();
  e.pid = current_pid();
  e.process_start = current_process_start();
  e.finished = finished;
  auto w = write_gate_journal(options_.journal_file, e);
  if (!w) deps_.log(LogLevel::kError, w.error().message());
}

milliseconds Orchestrator::remaining() const {
  const auto left = deadline_at_ - Clock::now();
  return left.count() > 0 ? std::chrono::duration_cast<milliseconds>(left) : milliseconds(0);
}

bool Orchestrator::close_gate() {
  const bool holds = deps_.gate.holds_users();
  enter(AgentPhase::kClosingGate,
        holds ? "closing the " + deps_.gate.kind() + " gate"
              : "gate " + deps_.gate.kind() + ": reporting only, users are not held back");
  journal("closing", false);
  auto closed = deps_.gate.close();
  if (!closed) {
    const auto msg = "could not close the " + deps_.gate.kind() +
                     " gate: " + closed.error().message() +
                     "; users may be admitted before licensing is ready";
    deps_.log(LogLevel::kError, msg);
    event(kEventGateFailed, host::EventSeverity::kError, msg);
    deps_.board.update([](AgentStatus& s) { s.gate_state = "unknown"; });
    return false;
  }
  gate_closed_ = true;
  journal("closed", false);
  // `none` keeps no one out: the status says so rather than "closed".
  deps_.board.update([holds](AgentStatus& s) { s.gate_state = holds ? "closed" : "open"; });
  if (holds) {
    event(kEventGateClosed, host::EventSeverity::kInformation,
          "rdwarm closed the " + deps_.gate.kind() + " gate until RD licensing is ready");
  }
  return true;
}

// The gate is written first: no status file or journal write sits between the certificate and the
// open gate (bench/README.md). Callers record the open gate afterwards; a crash before that
// leaves the journal at "closed", and the next run opens the gate again.
bool Orchestrator::open_gate() {
  if (deps_.gate.holds_users()) {
    deps_.log(LogLevel::kInfo, "opening the " + deps_.gate.kind() + " gate");
  }
  auto opened = deps_.gate.open();
  if (!opened) {
    const auto msg = "could not open the " + deps_.gate.kind() +
                     " gate: " + opened.error().message() +
                     "; open it by hand (see docs/troubleshooting)";
    deps_.log(LogLevel::kError, msg);
    event(kEventGateFailed, host::EventSeverity::kError, msg);
    deps_.board.update([](AgentStatus& s) { s.gate_state = "unknown"; });
    return false;
  }
  gate_closed_ = false;
  return true;
}

void Orchestrator::note_certificate(const host::LicensingSnapshot& snap) {
  deps_.board.update([&](AgentStatus& s) { copy_certificate(snap, s); });
}

void Orchestrator::copy_certificate(const host::LicensingSnapshot& snap, AgentStatus& s) {
  if (snap.grace.value && snap.grace.value->days_left) {
    s.grace_days_left = *snap.grace.value->days_left;
  }
  if (const auto* leaf = snap.certificate.leaf()) {
    s.certificate_not_after_unix = leaf->not_after_unix;
    s.certificate_issuer = snap.certificate.license_server()->subject;
  }
}

// Called with the gate already opened (or its opening failed): from here on, only records.
WarmupResult Orchestrator::finish_ready(const host::LicensingSnapshot& snap,
                                        const host::Readiness& r, bool opened) {
  const auto took = std::chrono::duration<double>(Clock::now() - run_started_).count();
  journal(opened ? "open" : "unknown", true);
  const std::string headline = r.reasons.front() + "; users are admitted";
  enter(AgentPhase::kReady, headline, LogLevel::kInfo, [&](AgentStatus& s) {
    copy_certificate(snap, s);
    s.gate_state = opened ? "open" : "unknown";
    s.ready = true;
    s.broker_status = opened ? BrokerStatus::kAvailable : BrokerStatus::kNeedsAssistance;
    s.time_to_ready_seconds = took;
    s.exit_code = kExitReady;
  });
  event(kEventReady, host::EventSeverity::kInformation, "rdwarm: " + headline);
  return {kExitReady, headline};
}

WarmupResult Orchestrator::finish_unready(int exit_code, const std::string& headline,
                                          bool deadline) {
  const bool open = options_.on_deadline == OnDeadline::kOpen;
  std::string what = headline;
  if (!deps_.gate.holds_users()) {
    gate_closed_ = false;
    journal("open", true);
    what += "; gate " + deps_.gate.kind() +
            ": users were not held back, and the first of them may be refused with 'no Remote "
            "Desktop License Servers available'";
    event(kEventDeadlineGateOpened, host::EventSeverity::kWarning, "rdwarm: " + what);
  } else if (open) {
    bool opened = true;
    if (gate_closed_) {
      opened = open_gate();
      if (opened) deps_.board.update([](AgentStatus& s) { s.gate_state = "open"; });
    }
    journal(opened ? "open" : "unknown", true);
    what +=
        "; the gate was opened anyway (on_deadline = \"open\"): the first users may be refused "
        "with 'no Remote Desktop License Servers available'";
    event(kEventDeadlineGateOpened, host::EventSeverity::kWarning, "rdwarm: " + what);
  } else {
    journal(gate_closed_ ? "left-closed" : "open", true);
    if (gate_closed_) {
      what +=
          "; the gate stays closed (on_deadline = \"stay-closed\"): no users are admitted to "
          "this host until licensing works and rdwarm boot runs again";
    }
    event(kEventDeadlineGateClosed, host::EventSeverity::kError, "rdwarm: " + what);
  }
  deps_.board.update([&](AgentStatus& s) {
    s.ready = false;
    s.broker_status =
        open || !gate_closed_ ? BrokerStatus::kNeedsAssistance : BrokerStatus::kUnavailable;
    s.exit_code = exit_code;
  });
  enter(deadline ? AgentPhase::kDeadlineReached : AgentPhase::kFailed, what, LogLevel::kError);
  return {exit_code, what};
}

void Orchestrator::wait_before_retry(milliseconds delay) {
  enter(AgentPhase::kWaiting,
        "next attempt in " + seconds_text(delay) +
            (options_.certificate_wait ? " or when the certificate arrives" : ""),
        LogLevel::kDebug);
  const auto until = Clock::now() + delay;
  // Slices of at most 250 ms, so a stop request is noticed while the platform wait blocks.
  constexpr milliseconds kSlice{250};
  while (!stop_) {
    const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
    if (left.count() <= 0) return;
    const auto slice = std::min(left, kSlice);
    if (options_.certificate_wait) {
      auto w = deps_.platform.wait_for_certificate_change(slice);
      if (w && *w == host::WaitResult::kChanged) {
        deps_.log(LogLevel::kInfo, "the license-server certificate changed; probing now");
        return;
      }
      if (!w) {
        deps_.log(LogLevel::kWarning, "certificate wait: " + w.error().message());
        options_.certificate_wait = false;  // fall back to plain retries
      }
    } else {
      std::unique_lock lock(stop_mutex_);
      stop_cv_.wait_for(lock, slice, [this] { return stop_.load(); });
    }
  }
}

WarmupResult Orchestrator::run() {
  run_started_ = Clock::now();
  // One agent per host: another one at work owns the gate. Nothing is written (status, journal,
  // gate) that could disturb it; only the log and the event say why this run ended.
  if (!options_.journal_file.empty()) {
    if (const auto other = another_agent_at_work(options_.journal_file)) {
      deps_.log(LogLevel::kError, *other);
      event(kEventAnotherAgent, host::EventSeverity::kWarning, "rdwarm: " + *other);
      return {kExitInternal, *other};
    }
  }
  boot_id_ = current_boot_id();
  warmup_started_at_ = std::chrono::system_clock::now();
  auto deadline = options_.deadline;

  deps_.board.update([&](AgentStatus& s) {
    s.started_at = warmup_started_at_;
    s.gate_kind = deps_.gate.kind();
    s.platform = deps_.platform.name();
    s.target = options_.probe.host + ":" + std::to_string(options_.probe.port);
  });
  enter(AgentPhase::kStarting, "warming up RD licensing on " + options_.probe.host + ":" +
                                   std::to_string(options_.probe.port) + " (deadline " +
                                   seconds_text(deadline) + ")");
  event(kEventStarted, host::EventSeverity::kInformation, "rdwarm boot started");

  // A previous run of this boot that did not finish: keep its start time (the deadline counts
  // from the first start), and remember that it may have left the gate closed.
  bool previous_left_gate_closed = false;
  if (!options_.journal_file.empty()) {
    auto previous = read_gate_journal(options_.journal_file);
    if (!previous) {
      deps_.log(LogLevel::kWarning, previous.error().message() + "; treating the gate as closed");
      previous_left_gate_closed = true;
    } else if (*previous && (*previous)->finished && (*previous)->gate_state == "left-closed") {
      // Closed on purpose by a run that reached its deadline: this run owns that gate now.
      previous_left_gate_closed = true;
    } else if (*previous && !(*previous)->finished) {
      const auto& p = **previous;
      previous_left_gate_closed = p.gate_state != "open";
      if (p.boot_id == boot_id_) {
        const auto elapsed = std::chrono::duration_cast<milliseconds>(
            std::chrono::system_clock::now() - p.warmup_started_at);
        warmup_started_at_ = p.warmup_started_at;
        deadline = elapsed < deadline ? deadline - elapsed : milliseconds(0);
      }
      const auto msg = "a previous run (pid " + std::to_string(p.pid) +
                       ") stopped during the warm-up with the gate " + p.gate_state +
                       "; this run takes over" +
                       (p.boot_id == boot_id_ ? " and keeps its deadline" : "");
      deps_.log(LogLevel::kWarning, msg);
      event(kEventRecoveredGate, host::EventSeverity::kWarning, "rdwarm: " + msg);
    }
  }
  deadline_at_ = Clock::now() + deadline;

  // A gate that is closed from boot (the service gate: Manual services) counts as closed: this
  // run must open it on every path that admits users, even without closing it first.
  if (deps_.gate.starts_closed()) previous_left_gate_closed = true;

  auto snapshot = deps_.platform.read_snapshot();
  if (!snapshot) {
    const auto msg = "cannot read the host's licensing state: " + snapshot.error().message();
    event(kEventHostUnreadable, host::EventSeverity::kError, "rdwarm: " + msg);
    gate_closed_ = previous_left_gate_closed;
    return finish_unready(kExitInternal, msg, false);
  }
  note_certificate(*snapshot);
  const auto initial = host::evaluate_readiness(*snapshot, std::nullopt);
  if (initial.applicability != host::Applicability::kApplicable) {
    const bool reopen = previous_left_gate_closed;
    const bool opened = !reopen || open_gate();
    journal(opened ? "open" : "unknown", true);
    deps_.board.update([reopen, opened](AgentStatus& s) {
      if (reopen && opened) s.gate_state = "open";
      s.ready = true;
      s.broker_status = BrokerStatus::kAvailable;
      s.exit_code = kExitNotApplicable;
    });
    const auto msg = "not applicable: " + initial.reasons.front() + "; nothing to do";
    enter(AgentPhase::kNotApplicable, msg);
    event(kEventNotApplicable, host::EventSeverity::kInformation, "rdwarm: " + msg);
    return {kExitNotApplicable, msg};
  }

  if (!close_gate()) gate_closed_ = previous_left_gate_closed;

  Backoff backoff(options_.retry, pick_seed(options_.seed));
  std::optional<probe::ProbeResult> last;
  // The verdict of the last attempt that the deadline did not cut short: an attempt started with
  // a few milliseconds left ends in a Timeout that says nothing about the host.
  std::optional<Verdict> conclusive;
  std::uint32_t attempt = 0;
  while (true) {
    ++attempt;
    if (options_.certificate_wait) {
      auto armed = deps_.platform.arm_certificate_wait();
      if (!armed) options_.certificate_wait = false;
    }
    auto probe_options = options_.probe;
    // A run that took over after the deadline still makes one real attempt: the host as it is
    // now decides the verdict (and may open the gate).
    if (attempt > 1 || remaining().count() > 0) {
      probe_options.overall_timeout =
          std::max(milliseconds(1), std::min(options_.probe.overall_timeout, remaining()));
    }
    const bool cut_short = probe_options.overall_timeout < options_.probe.overall_timeout;
    enter(AgentPhase::kProbing, "attempt " + std::to_string(attempt), LogLevel::kDebug);
    const auto started = std::chrono::system_clock::now();
    last = deps_.run_probe(probe_options);
    const auto verdict = verdict_for(*last);
    if (!conclusive || !cut_short || last->outcome.kind != connector::OutcomeKind::Timeout) {
      conclusive = verdict;
    }
    // Licensed on a host that holds its certificate: the gate opens before anything records the
    // attempt, so no status or journal write delays the first user (bench/README.md).
    std::optional<host::LicensingSnapshot> snap;
    std::optional<host::Readiness> readiness;
    bool opened = false;
    if (last->outcome.licensed_ok()) {
      auto read = deps_.platform.read_snapshot();
      if (read) {
        snap = std::move(read).value();
        readiness = host::evaluate_readiness(*snap, true);
        if (readiness->ready) opened = open_gate();
      }
    }
    const auto kind = std::string(connector::outcome_kind_name(last->outcome.kind));
    deps_.board.update([&](AgentStatus& s) {
      s.attempts = attempt;
      ++s.attempts_by_outcome[kind];
      s.last_attempt = AttemptRecord{attempt, kind, verdict.headline,
                                     static_cast<double>(last->total.count()) / 1000.0, started};
    });
    deps_.log(last->outcome.licensed_ok() ? LogLevel::kInfo : LogLevel::kWarning,
              "attempt " + std::to_string(attempt) + ": " + verdict.headline);

    if (last->outcome.licensed_ok()) {
      if (readiness && readiness->ready) return finish_ready(*snap, *readiness, opened);
      if (snap) {
        note_certificate(*snap);
        deps_.log(LogLevel::kInfo, "licensing succeeded but " + readiness->reasons.front());
      }
    } else if (last->outcome.nla_required() ||
               last->outcome.kind == connector::OutcomeKind::AuthenticationFailed) {
      // Final: no number of retries changes it (docs/nla.md: configure NLA credentials), and
      // retrying refused credentials would lock the account out.
      event(kEventFinalVerdict, host::EventSeverity::kError, "rdwarm: " + verdict.headline);
      return finish_unready(verdict.exit_code, verdict.headline + ". " + verdict.next, false);
    } else if (attempt == 1 || attempt % 10 == 0) {
      event(kEventAttemptFailed, host::EventSeverity::kWarning,
            "rdwarm attempt " + std::to_string(attempt) + ": " + verdict.headline);
    }

    const bool out_of_attempts =
        options_.retry.max_attempts != 0 && attempt >= options_.retry.max_attempts;
    const auto give_up = [&] {
      int code = conclusive->exit_code;
      if (code == kExitReady) code = kExitNoCertificate;  // licensed, certificate never arrived
      const std::string why = stop_             ? "stopped"
                              : out_of_attempts ? "attempts used up"
                                                : "deadline reached";
      return finish_unready(
          code, why + " after " + std::to_string(attempt) + " attempt(s): " + conclusive->headline,
          true);
    };
    if (remaining().count() == 0 || out_of_attempts || stop_) return give_up();
    wait_before_retry(std::min(backoff.next(), remaining()));
    // A wait that used up the deadline (or was stopped) ends the warm-up here: another attempt
    // with no time left could only time out.
    if (remaining().count() == 0 || stop_) return give_up();
  }
}

}  // namespace rdwarm::agent
