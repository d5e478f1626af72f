/** Panel: one question with up to ten options (titles only) under one picture. */
import { pickerTemplate } from "./parts.js";

export default pickerTemplate("Panel");
