import Link from '@docusaurus/Link';
import Layout from '@theme/Layout';
import Translate from '@docusaurus/Translate';

export default function Home() {
  return (
    <Layout title="Home" description="Skylark survey drones: documentation">
      <main className="container margin-vert--xl">
        <h1>
          <Translate id="home.title">Skylark survey drones</Translate>
        </h1>
        <p>
          <Translate id="home.lead">
            Plan a mission, fly it, and get a map back. These docs cover setup, flight, hardware and
            troubleshooting. Ask the assistant (bottom right, or the Ask AI button above) anything
            they cover.
          </Translate>
        </p>
        <Link className="button button--primary" to="/docs/getting-started/">
          <Translate id="home.start">Get started</Translate>
        </Link>
      </main>
    </Layout>
  );
}
