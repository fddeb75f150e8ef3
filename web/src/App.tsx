import { useEffect, useState } from "react";
import Calibrate from "./pages/Calibrate";
import Dashboard from "./pages/Dashboard";
import Environments from "./pages/Environments";
import Models from "./pages/Models";
import Replay from "./pages/Replay";
import Scenarios from "./pages/Scenarios";
import Training from "./pages/Training";

export const PAGES = [
  { path: "/", label: "Dashboard", element: <Dashboard /> },
  { path: "/environments", label: "Environments", element: <Environments /> },
  { path: "/training", label: "Training", element: <Training /> },
  { path: "/models", label: "Models", element: <Models /> },
  { path: "/scenarios", label: "Scenarios", element: <Scenarios /> },
  { path: "/replay", label: "Replay", element: <Replay /> },
  { path: "/calibrate", label: "Calibrate", element: <Calibrate /> },
];

export function pageFor(pathname: string) {
  return PAGES.find((p) => p.path === pathname) ?? PAGES[0];
}

export default function App() {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const go = (to: string) => {
    window.history.pushState(null, "", to + window.location.search);
    setPath(to);
  };
  const page = pageFor(path);
  return (
    <div className="app">
      <nav>
        <span className="brand">ferrogym</span>
        {PAGES.map((p) => (
          <a
            key={p.path}
            href={p.path}
            className={p === page ? "active" : ""}
            onClick={(e) => {
              e.preventDefault();
              go(p.path);
            }}
          >
            {p.label}
          </a>
        ))}
      </nav>
      <main>
        <h1>{page.label}</h1>
        {page.element}
      </main>
    </div>
  );
}
