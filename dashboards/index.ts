export { createDashboardAssets, type Asset, type DashboardAssets } from './assets.ts';
export { UI_ROUTES } from './routes.ts';
