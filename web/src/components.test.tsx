import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { pageFor, PAGES } from "./App";
import { ComponentTable, ErrorBox } from "./components";
import { parseConfig } from "./pages/Environments";

describe("components", () => {
  it("lists each reward component with its step and episode value", () => {
    render(<ComponentTable step={{ wait: -0.5 }} episode={{ wait: -2 }} />);
    const table = screen.getByTestId("components");
    expect(table.textContent).toContain("wait");
    expect(table.textContent).toContain("-0.500");
    expect(table.textContent).toContain("-2.000");
  });

  it("shows an error only when there is one", () => {
    const { container } = render(<ErrorBox error={null} />);
    expect(container.textContent).toBe("");
    render(<ErrorBox error="bad seed" />);
    expect(screen.getByRole("alert").textContent).toBe("bad seed");
  });
});

describe("pages", () => {
  it("has the six pages of the dashboard and falls back to the Dashboard", () => {
    expect(PAGES.map((p) => p.label)).toEqual(["Dashboard", "Environments", "Training", "Models", "Scenarios", "Replay", "Calibrate"]);
    expect(pageFor("/nowhere").label).toBe("Dashboard");
  });

  it("accepts a JSON object as env config and refuses anything else", () => {
    expect(parseConfig("")).toEqual({});
    expect(parseConfig('{"scenario": "balanced"}')).toEqual({ scenario: "balanced" });
    expect(() => parseConfig("[1]")).toThrow("JSON object");
  });
});
