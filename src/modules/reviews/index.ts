/** The reviews module's public surface: its routes. */
export { ReviewsHttpModule } from './reviews-http.module.js';
