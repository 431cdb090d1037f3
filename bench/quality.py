"""Learning quality: every problem of the suite trained by every contender with the same network,
Adam settings and epoch budget, over several seeds; the final test metric side by side and the
training time until the test metric first reaches the problem's target."""
from __future__ import annotations

import time
from dataclasses import replace

from gradfall import initializers

from . import learners, outcomes, problems
from . import threads as thread_control
from .table import Section


def _budget(problem, plan):
    return replace(problem, epochs=max(1, round(problem.epochs * plan.quality_epoch_share)))


def _warm_up(chosen, problem, data) -> None:
    # One untimed epoch each first, so no contender's first-call costs land in a timed run.
    for learner in chosen:
        learner.train(replace(problem, epochs=1), data, seed=0)


def _train(chosen, problem, data, plan) -> dict:
    """{contender: [Curve per seed]}; the contenders take turns, the first rotating each seed."""
    curves = {learner.name: [] for learner in chosen}
    for index, seed in enumerate(plan.quality_seeds):
        shift = index % len(chosen)
        for learner in chosen[shift:] + chosen[:shift]:
            if plan.settle_seconds:
                time.sleep(plan.settle_seconds)
            curves[learner.name].append(learner.train(problem, data, seed))
    return curves


def _method_notes(plan, chosen) -> list:
    init = plan.quality_init or f"{initializers.DEFAULT} (the library default)"
    names = ", ".join(learner.name for learner in chosen)
    return [
        f"Contenders: {names}. Seeds {', '.join(map(str, plan.quality_seeds))}: a seed sets "
        "the initial weights and the minibatch order; the data and its train/test split are "
        "the same for every seed. Metric cells: mean ± std over the seeds of the test metric "
        "after the last epoch.",
        "Time to target: training wall time from building the model until the test metric, "
        "scored after every epoch, first reaches the target; the clock is paused while the test "
        "set is scored. Median over the seeds; — when most seeds never reached it, (k/n) when "
        "only k did; (N×) is that contender's time ÷ gradfall's. The ratio column is the "
        "nearest other's.",
        f"Met: gradfall's mean final metric ≥ {outcomes.QUALITY_REFERENCE}'s − "
        f"{outcomes.QUALITY_MARGIN:g}, and gradfall's median time to target below every other "
        "contender's.",
        f"gf.Network: gf.Network(init={init}), gf.Adam(lr), fit(..., callback) scoring after "
        "each epoch. PyTorch: nn.Sequential of nn.Linear and Tanh/ReLU (default initialisation), "
        "CrossEntropyLoss or MSELoss, optim.Adam(lr), a randperm of the rows each epoch. "
        "scikit-learn: MLPClassifier/MLPRegressor(solver='adam', learning_rate_init=lr, alpha=0, "
        "batch_size, shuffle=True, random_state=RandomState(seed)), one partial_fit per epoch "
        "(the updates of fit with max_iter=epochs and tol=0, each epoch a fresh permutation of "
        "the rows); its binary classifier has one logistic output and its squared loss is half "
        "the mean squared error.",
        f"Every contender trains on {plan.quality_threads} thread"
        f"{'' if plan.quality_threads == 1 else 's'} (gradfall's OpenMP, numpy's "
        "BLAS via threadpoolctl, torch.set_num_threads), float32, after one untimed warm-up "
        "epoch each; contenders take turns, the first rotating with the seed.",
    ]


def run(plan) -> Section:
    chosen, skipped = learners.available(plan.quality_init)
    suite, skipped_problems = problems.available(plan.quality_problems)
    thread_control.set_all(plan.quality_threads)
    section = Section("quality", "Learning quality: final test metric and time to target",
                      outcomes.columns(learner.name for learner in chosen),
                      ratio_name="time to target, nearest other ÷ gradfall")
    setups, shortfalls = [], []
    for index, problem in enumerate(suite):
        problem = _budget(problem, plan)
        data = problem.make()
        if index == 0:
            _warm_up(chosen, problem, data)
        summaries = outcomes.summarise(_train(chosen, problem, data, plan), problem.target)
        section.rows.append(outcomes.row(problem, summaries))
        setups.append(problem.describe(data))
        met, reasons = outcomes.verdict(summaries)
        if not met:
            shortfalls.append(f"{problem.name} short: " + "; ".join(reasons) + ".")
    section.notes += (_method_notes(plan, chosen) + ["Problems: " + "; ".join(setups) + "."]
                      + shortfalls + skipped + skipped_problems)
    if thread_control.note():
        section.notes.append(thread_control.note())
    return section
