import { render, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { componentSummary, PredictionTable, Transcript } from "./components";
import { defaultPolicy } from "./pages/Scenarios";
import { recordingKind } from "./pages/Replay";
import type { Prediction, ScenarioInfo, TranscriptTurn } from "./lib/types";

const turn = (n: number, label: string, ending: string | null = null): TranscriptTurn => ({
  turn: n,
  action: 0,
  label,
  observed: { sentiment: -0.5 + n / 10, progress: n / 10 },
  reward: ending ? 1.5 : -0.02,
  reward_components: ending ? { turn: -0.02, resolution: 1.52 } : { turn: -0.02, resolution: 0 },
  ending,
});

describe("transcript", () => {
  it("shows each turn's strategy, observations and reward, and how the conversation ended", () => {
    const { container } = render(<Transcript turns={[turn(1, "apologetic"), turn(2, "quick_resolution", "resolved")]} />);
    const screen = within(container);
    const table = screen.getByTestId("transcript");
    expect(table.querySelectorAll("tbody tr")).toHaveLength(2);
    expect(table.textContent).toContain("observed sentiment");
    expect(table.textContent).toContain("apologetic");
    expect(table.textContent).toContain("-0.40");
    expect(screen.getByTestId("transcript-ending").textContent).toBe("ended: resolved after 2 turns");
  });

  it("says the conversation is still running before its last turn", () => {
    const { container } = render(<Transcript turns={[turn(1, "empathetic")]} />);
    expect(within(container).getByTestId("transcript-ending").textContent).toBe("conversation running");
  });

  it("lists only the non-zero reward components with their sign", () => {
    expect(componentSummary({ turn: -0.02, resolution: 0, upsell: 0.3 })).toBe("turn -0.020, upsell +0.300");
    expect(componentSummary({ turn: 0 })).toBe("–");
  });

  it("runs a scenario with the env's rule baseline by default", () => {
    const s = (policies: string[]): ScenarioInfo => ({ name: "x", env_id: "e", kind: "k", description: "", config: {}, policies });
    expect(defaultPolicy(s(["random", "quick_resolution", "rule", "greedy_oracle"]))).toBe("rule");
    expect(defaultPolicy(s(["random", "least-loaded", "sed"]))).toBe("least-loaded");
    expect(defaultPolicy(s(["random"]))).toBe("random");
  });
});

describe("prediction", () => {
  const base: Prediction = {
    action: 1,
    masked_choice: false,
    probabilities: [0.2, 0.8, 0],
    q_values: null,
    action_labels: ["empathetic", "technical", "escalate"],
    observation: [0, 0, 0],
    action_mask: [true, true, false],
  };

  it("lists every action with its probability, marks the chosen one and the masked ones", () => {
    const { container } = render(<PredictionTable prediction={base} />);
    const rows = container.querySelectorAll("tbody tr");
    expect(rows).toHaveLength(3);
    expect(within(container).getByTestId("predicted-action").textContent).toBe("technical");
    expect(rows[1].className).toBe("selected");
    expect(rows[2].textContent).toContain("escalate (masked)");
    expect(rows[0].textContent).toContain("0.200");
    expect(container.textContent).toContain("probability");
  });

  it("shows Q-values for DQN and says when the model picked a masked action", () => {
    const p = { ...base, probabilities: null, q_values: [1.5, -2], action: 0, action_labels: null, masked_choice: true, action_mask: null };
    const { container } = render(<PredictionTable prediction={p} />);
    expect(container.textContent).toContain("Q-value");
    expect(within(container).getByTestId("predicted-action").textContent).toBe("0");
    expect(container.textContent).toContain("masked by the env");
  });

  it("gives the action alone for continuous action spaces", () => {
    const p = { ...base, probabilities: null, q_values: null, action: [0.5, -0.5], action_labels: null };
    const { container } = render(<PredictionTable prediction={p} />);
    expect(container.textContent).toContain("[0.5,-0.5]");
  });
});

describe("replay", () => {
  it("says whether a recording is a dashboard episode or a ferrogym.record file", () => {
    const r = { name: "a", env_id: "e", steps: 5, episode_return: 1, seed: 0, policy: null };
    expect(recordingKind({ ...r, kind: "dashboard", episodes: 1 })).toBe("dashboard episode");
    expect(recordingKind({ ...r, kind: "record", episodes: 3 })).toBe("ferrogym.record file, 3 episodes");
    expect(recordingKind({ ...r, kind: "record", episodes: 1 })).toBe("ferrogym.record file, 1 episode");
  });
});
