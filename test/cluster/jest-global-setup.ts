import { setup } from './global-setup.js';
export default setup;
